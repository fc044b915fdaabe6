"""What each page computes and says, as plain functions: the live view, Compare, Inside and Data."""
