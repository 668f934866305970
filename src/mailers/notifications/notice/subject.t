{% if kind == "overdue" %}Overdue: {{title}}{% else %}Reminder: {{title}} is due {{due}}{% endif %}
