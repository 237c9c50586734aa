"""A storage named in STORAGES, looked up when first used (not when a model is loaded), and
again after the STORAGES setting changes (as in a test that puts uploads elsewhere)."""

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

_named: list["NamedStorage"] = []


class NamedStorage(LazyObject):
    def __init__(self, alias: str):
        super().__init__()
        self.__dict__["_alias"] = alias
        _named.append(self)

    def _setup(self):
        self._wrapped = storages[self.__dict__["_alias"]]


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        for storage in _named:
            storage._wrapped = empty
