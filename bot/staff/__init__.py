"""The staff workspace: accounts and roles, audit, article revisions, import and export, inbox."""
