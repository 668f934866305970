Hi {{name}},

{% if kind == "overdue" %}Your task "{{title}}" was due {{due}} and is not complete yet.{% else %}Your task "{{title}}" is due {{due}}.{% endif %}

You are getting this because reminders are on for your taskforge account
(PATCH /auth/me with "reminder_lead_minutes": 0 turns them off).
