"""The project's date and time formats per UI language (FORMAT_MODULE_PATH), where Django's
own do not suit a call centre."""
