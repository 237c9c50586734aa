from rest_framework import serializers


class MeOutputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField()
    is_organiser = serializers.BooleanField(source="is_staff")
    is_volunteer = serializers.SerializerMethodField()

    def get_is_volunteer(self, user) -> bool:
        return hasattr(user, "supporter")


class EraseInputSerializer(serializers.Serializer):
    password = serializers.CharField(trim_whitespace=False, max_length=4096)
