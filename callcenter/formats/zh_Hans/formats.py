"""Chinese: dates as yyyy-mm-dd and a 24-hour clock, as the centre writes them on its
registers (Django's own use 2026年11月23日 and 2026/11/23); the rest stays Django's."""

DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
