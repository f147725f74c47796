"""Jobs: long work (a sync, a file import) run in the background of the process that started
it, with its progress for the pages to follow."""
