package dev.restvisor.core.devices.cmos;

/**
 * A proleptic Gregorian date and time of day in UTC, from and to seconds since 1970-01-01
 * (years 1970 and later). {@code dayOfWeek} is 1 for Sunday through 7 for Saturday, as the
 * MC146818 counts it.
 */
record CivilTime(int year, int month, int day, int hour, int minute, int second, int dayOfWeek) {

    private static final int SECONDS_PER_DAY = 86_400;

    static CivilTime fromEpochSeconds(long epochSeconds) {
        long days = Math.floorDiv(epochSeconds, SECONDS_PER_DAY);
        int secondOfDay = (int) Math.floorMod(epochSeconds, SECONDS_PER_DAY);
        int dayOfWeek = (int) Math.floorMod(days + 4, 7) + 1; // 1970-01-01 was a Thursday
        int year = 1970;
        while (days >= daysInYear(year)) {
            days -= daysInYear(year);
            year++;
        }
        int month = 1;
        while (days >= daysInMonth(year, month)) {
            days -= daysInMonth(year, month);
            month++;
        }
        return new CivilTime(year, month, (int) days + 1, secondOfDay / 3600, secondOfDay / 60 % 60,
                secondOfDay % 60, dayOfWeek);
    }

    /** Out-of-range fields (as a guest may write) are carried into the next unit. */
    long toEpochSeconds() {
        long days = 0;
        for (int y = 1970; y < year; y++) {
            days += daysInYear(y);
        }
        for (int m = 1; m < Math.min(month, 13); m++) {
            days += daysInMonth(year, m);
        }
        days += day - 1;
        return days * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second;
    }

    static boolean leap(int year) {
        return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    private static int daysInYear(int year) {
        return leap(year) ? 366 : 365;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> leap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }
}
