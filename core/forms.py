"""Web forms and input serializers meeting the models and the services."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def form_add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on `form`: each message beside the field it names,
    and messages about anything the form has no field for in the error summary."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(
            field if field in form.fields and field != NON_FIELD_ERRORS else None, messages
        )


def column_max_length(model, field: str) -> int:
    """The longest value `model`'s column `field` holds: the one limit for a page's input
    (its maxlength), the form that reads it and the API serializer that takes it."""
    return model._meta.get_field(field).max_length
