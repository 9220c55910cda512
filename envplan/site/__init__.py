"""The site itself (top floor): the pages and commands that belong to no app of the plan, the workflow or
monitoring: the health check, a queued job's page, and the web server (`envplan serve`)."""
