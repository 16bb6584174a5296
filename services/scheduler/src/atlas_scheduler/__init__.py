"""Atlas scheduler: questions on a cron schedule, answered by the workers, then delivered."""
