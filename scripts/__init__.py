"""Developer scripts: test-story generation, server runner, eval and bench."""
