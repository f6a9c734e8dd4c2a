"""The coordination console (Step 9): server-rendered pages for polyclinic heads, regional and national
admins, and nurses, served beside the bot (console/app.py). Pages are thin like handlers: they read the
signed-in staff member (console/security.py), ask a service, and render a template."""
