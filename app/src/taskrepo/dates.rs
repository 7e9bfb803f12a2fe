//! The dates of `meta.json`, in the forms INLOOP accepted, and showing dates in the site's zone.
//!
//! Dates everywhere else are `time::OffsetDateTime` (what sqlx reads and writes); the `time`
//! crate has no zone database, so the site's zone is a [`Zone`] whose arithmetic jiff does,
//! here and nowhere else.

use time::{
    OffsetDateTime, PrimitiveDateTime, UtcOffset, format_description::well_known::Rfc3339,
    macros::format_description,
};

/// A time zone of the IANA database, such as `Europe/Berlin`.
#[derive(Clone, Debug)]
pub struct Zone(jiff::tz::TimeZone);

impl Zone {
    /// The zone of this name, or why there is none.
    pub fn named(name: &str) -> Result<Zone, String> {
        jiff::tz::TimeZone::get(name).map(Zone).map_err(|err| err.to_string())
    }
}

/// Parses `2018-03-08 10:00:00 +0200`, `2018-03-08 10:00:00+02:00`, `2018-01-01 00:00:00Z`,
/// RFC 3339 (`2018-03-08T10:00:00+02:00`), a date and time without offset, or a date alone
/// (midnight). Times without an offset are local time in `zone`.
pub fn parse(text: &str, zone: &Zone) -> Result<OffsetDateTime, String> {
    let text = text.trim();
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    let normalised = text.replacen('T', " ", 1);
    let (local, offset) = split_offset(&normalised);
    let local = local.trim();
    let naive = PrimitiveDateTime::parse(
        local,
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    )
    .or_else(|_| {
        PrimitiveDateTime::parse(local, format_description!("[year]-[month]-[day] [hour]:[minute]"))
    })
    .or_else(|_| {
        time::Date::parse(local, format_description!("[year]-[month]-[day]"))
            .map(|date| date.midnight())
    })
    .map_err(|_| {
        format!("'{text}' is not a date like 2026-10-01 08:00:00 or 2026-10-01T08:00:00+02:00")
    })?;
    match offset {
        Some(offset) => Ok(naive.assume_offset(offset?)),
        None => in_zone(naive, zone),
    }
}

/// Splits a trailing `Z`, `+0200` or `+02:00` off a date-time.
fn split_offset(text: &str) -> (&str, Option<Result<UtcOffset, String>>) {
    if let Some(local) = text.strip_suffix('Z') {
        return (local, Some(Ok(UtcOffset::UTC)));
    }
    let Some(position) = text.rfind(['+', '-']) else { return (text, None) };
    let (local, offset) = text.split_at(position);
    // A '-' inside the date is not an offset; an offset follows the time.
    if !local.contains(':') && !local.trim_end().contains(' ') {
        return (text, None);
    }
    let digits: String = offset[1..].chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 4 || offset[1..].chars().any(|c| !c.is_ascii_digit() && c != ':') {
        return (text, None);
    }
    let hours: i8 = digits[..2].parse().unwrap_or(0);
    let minutes: i8 = digits[2..].parse().unwrap_or(0);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let parsed = UtcOffset::from_hms(sign * hours, sign * minutes, 0)
        .map_err(|err| format!("bad UTC offset '{offset}': {err}"));
    (local, Some(parsed))
}

fn in_zone(naive: PrimitiveDateTime, zone: &Zone) -> Result<OffsetDateTime, String> {
    let civil = jiff::civil::DateTime::new(
        naive.year() as i16,
        naive.month() as i8,
        naive.day() as i8,
        naive.hour() as i8,
        naive.minute() as i8,
        naive.second() as i8,
        0,
    )
    .map_err(|err| err.to_string())?;
    let zoned = civil.to_zoned_datetime(zone.0.clone()).map_err(|err| err.to_string())?;
    OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second())
        .map_err(|err| err.to_string())
}

/// The start of a day given as `2026-12-01` (what a date input sends), in `zone`; with
/// `next_day`, the start of the day after, for a range that includes the day.
pub fn day_start(text: &str, zone: &Zone, next_day: bool) -> Result<OffsetDateTime, String> {
    let date = time::Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("'{}' is not a date like 2026-10-01", text.trim()))?;
    let date = if next_day { date.next_day().ok_or("a date too far in the future")? } else { date };
    in_zone(date.midnight(), zone)
}

/// `01-10-2026 08:00` in the site's zone, with the zone's abbreviation.
pub fn display(at: OffsetDateTime, zone: &Zone) -> String {
    match jiff::Timestamp::from_second(at.unix_timestamp()) {
        Ok(timestamp) => {
            timestamp.to_zoned_datetime(zone.0.clone()).strftime("%d-%m-%Y %H:%M %Z").to_string()
        }
        Err(_) => at.to_string(),
    }
}

/// The day `at` falls on in `zone`.
pub fn local_date(at: OffsetDateTime, zone: &Zone) -> Option<time::Date> {
    let local =
        jiff::Timestamp::from_second(at.unix_timestamp()).ok()?.to_zoned_datetime(zone.0.clone());
    let month = time::Month::try_from(u8::try_from(local.month()).ok()?).ok()?;
    time::Date::from_calendar_date(i32::from(local.year()), month, u8::try_from(local.day()).ok()?)
        .ok()
}

/// How far `zone` is ahead of UTC at `at`, in seconds.
pub fn offset_seconds(at: OffsetDateTime, zone: &Zone) -> i32 {
    jiff::Timestamp::from_second(at.unix_timestamp())
        .map_or(0, |timestamp| zone.0.to_offset(timestamp).seconds())
}

/// `2026-10-01T08:00` in `zone`: what a `datetime-local` input shows and sends.
pub fn input_value(at: OffsetDateTime, zone: &Zone) -> String {
    match jiff::Timestamp::from_second(at.unix_timestamp()) {
        Ok(timestamp) => {
            timestamp.to_zoned_datetime(zone.0.clone()).strftime("%Y-%m-%dT%H:%M").to_string()
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> Zone {
        Zone::named("Europe/Berlin").expect("the zone database knows Berlin")
    }

    #[test]
    fn an_instant_falls_on_its_local_day() {
        let late = OffsetDateTime::from_unix_timestamp(1_790_287_200).expect("an instant"); // 2026-09-24 22:00 UTC
        assert_eq!(
            local_date(late, &berlin()).map(|date| date.to_string()),
            Some("2026-09-25".into())
        );
        assert_eq!(offset_seconds(late, &berlin()), 7_200);
    }

    #[test]
    fn a_day_starts_at_local_midnight_even_when_the_clocks_change() {
        let start = day_start("2026-10-25", &berlin(), false).expect("a date");
        let end = day_start("2026-10-25", &berlin(), true).expect("a date");
        assert_eq!(start.to_string(), "2026-10-24 22:00:00.0 +00:00:00");
        // Summer time ends that night: the day has 25 hours.
        assert_eq!((end - start).whole_hours(), 25);
        assert!(day_start("25.10.2026", &berlin(), false).is_err());
    }

    fn utc(text: &str) -> String {
        parse(text, &berlin())
            .expect(text)
            .to_offset(UtcOffset::UTC)
            .format(&Rfc3339)
            .expect("formats")
    }

    #[test]
    fn inloop_date_forms_are_understood() {
        assert_eq!(utc("2018-03-08 10:00:00 +0200"), "2018-03-08T08:00:00Z");
        assert_eq!(utc("2018-03-08 10:00:00+02:00"), "2018-03-08T08:00:00Z");
        assert_eq!(utc("2018-01-01 00:00:00Z"), "2018-01-01T00:00:00Z");
        assert_eq!(utc("2018-03-08T10:00:00+02:00"), "2018-03-08T08:00:00Z");
        // Without an offset: Berlin time, winter (+01) and summer (+02).
        assert_eq!(utc("2018-01-15 10:00:00"), "2018-01-15T09:00:00Z");
        assert_eq!(utc("2018-07-15 10:00"), "2018-07-15T08:00:00Z");
        assert_eq!(utc("2018-03-08"), "2018-03-07T23:00:00Z");
        assert!(parse("next tuesday", &berlin()).unwrap_err().contains("not a date"));
        assert!(parse("2018-13-45", &berlin()).is_err());
    }

    #[test]
    fn dates_show_in_the_site_zone() {
        let at = parse("2026-07-01 08:00:00Z", &berlin()).expect("parses");
        assert_eq!(display(at, &berlin()), "01-07-2026 10:00 CEST");
    }
}
