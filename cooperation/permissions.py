"""Who may do what with the register (django-rules predicates, declared once; see
accounts.permissions.add_staff_perm). The public page and the API need no permission."""

from accounts.permissions import add_staff_perm

STAFF_PERMISSIONS = {
    # The staff dashboard: applications, success rates, amounts, reviewers' load, reports due.
    "cooperation.see_dashboard": ("cooperation.view_cooperation", "applications.view_application"),
    # Importing a year's declarations or the sites from a CSV or XLSX file.
    "cooperation.import_register": (
        "cooperation.add_cooperation",
        "cooperation.change_cooperation",
        "cooperation.add_site",
        "cooperation.change_site",
    ),
}

for _name, _model_permissions in STAFF_PERMISSIONS.items():
    add_staff_perm(_name, *_model_permissions)
