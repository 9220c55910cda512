"""The bundled demo: the top floor that loads each app's own demo data in order (plan, logins, reports,
monitoring) and pins the application's clock. Nothing below this app knows the demo exists."""
