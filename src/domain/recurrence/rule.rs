//! A rule of the contract's subset of RFC 5545 RRULE values (3.3.10): parsed,
//! checked and normalized, with the `rrule` crate's rule it expands with.
use chrono::{NaiveDate, NaiveTime, TimeZone};
use rrule::{RRule, RRuleSet, Unvalidated};

use super::values::{
    by_day, by_month, by_month_day, by_set_pos, frequency, up_to_1000, weekday, Until,
};

/// The parts a rule may have.
const PARTS: [&str; 9] = [
    "FREQ",
    "INTERVAL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
    "COUNT",
    "UNTIL",
];

/// A rule of the contract's subset, normalized (upper case, parts in the order sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The rule as sent, in upper case.
    text: String,
    count: Option<u32>,
    until: Option<Until>,
    /// The rule without COUNT and UNTIL: the series applies those itself.
    template: RRule<Unvalidated>,
}

impl Rule {
    /// Parses and checks an RRULE value (no `RRULE:` prefix) of the
    /// contract's subset: names and values in any case, each part once.
    ///
    /// # Errors
    /// A message saying what is wrong: a missing FREQ, a part outside the
    /// subset, an empty or repeated part, a value out of range, COUNT with
    /// UNTIL, an ordinal BYDAY in a DAILY or WEEKLY rule, or BY parts that
    /// never coincide on any date.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let rule = Self::parse_parts(raw)?;
        if rule.matches_some_date()? {
            Ok(rule)
        } else {
            Err("matches no date at all (its BY parts never coincide)".to_string())
        }
    }

    /// A rule read back from the database, where [`Rule::parse`] already
    /// checked it: the same checks without the search for a matching date.
    /// None if the text is not a valid rule.
    #[must_use]
    pub fn from_stored(raw: &str) -> Option<Self> {
        Self::parse_parts(raw).ok()
    }

    /// The normalized rule: upper case, parts and list items in the order sent.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The COUNT part: how many occurrences the series has in all.
    #[must_use]
    pub const fn count(&self) -> Option<u32> {
        self.count
    }

    /// The UNTIL part.
    pub(super) const fn until(&self) -> Option<Until> {
        self.until
    }

    /// The crate's rule without COUNT and UNTIL, to validate against a DTSTART.
    pub(super) const fn template(&self) -> &RRule<Unvalidated> {
        &self.template
    }

    /// Every check but the search for a matching date.
    fn parse_parts(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            return Err("must not be empty".to_string());
        }
        if raw
            .get(..6)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("RRULE:"))
        {
            return Err("must be the rule value without the RRULE: prefix".to_string());
        }
        let text = raw.to_ascii_uppercase();
        let parts = split(&text)?;
        let value = |name: &str| parts.iter().find(|part| part.0 == name).map(|part| part.1);
        let freq = frequency(value("FREQ").ok_or("FREQ is required")?)?;
        let mut template = RRule::new(freq);
        let (mut count, mut until) = (None, None);
        for &(name, value) in &parts {
            template = match name {
                "INTERVAL" => template.interval(up_to_1000(value, name)?),
                "COUNT" => {
                    count = Some(u32::from(up_to_1000(value, name)?));
                    template
                }
                "UNTIL" => {
                    until = Some(Until::parse(value)?);
                    template
                }
                "BYDAY" => template.by_weekday(by_day(value, freq)?),
                "BYMONTHDAY" => template.by_month_day(by_month_day(value, freq)?),
                "BYMONTH" => template.by_month(&by_month(value)?),
                "BYSETPOS" => template.by_set_pos(by_set_pos(value, freq)?),
                "WKST" => template.week_start(
                    weekday(value)
                        .ok_or("WKST must be one weekday: MO, TU, WE, TH, FR, SA or SU")?,
                ),
                _ => template,
            };
        }
        // RFC 5545 3.3.10: "either COUNT or UNTIL", and BYSETPOS "MUST only
        // be used in conjunction with another BYxxx rule part".
        if count.is_some() && until.is_some() {
            return Err("COUNT and UNTIL cannot be used together".to_string());
        }
        if value("BYSETPOS").is_some()
            && ["BYDAY", "BYMONTHDAY", "BYMONTH"]
                .iter()
                .all(|n| value(n).is_none())
        {
            return Err("BYSETPOS needs BYDAY, BYMONTHDAY or BYMONTH in the rule too".to_string());
        }
        Ok(Self {
            text,
            count,
            until,
            template,
        })
    }

    /// Whether the rule, at INTERVAL=1, has a date from 9600-01-01 on, or the
    /// crate's reason for refusing the rule (none is known to remain). That
    /// day begins a 400-year Gregorian cycle like 2000-01-01 (same weekdays,
    /// same leap years), and the crate iterates no further than year 10000,
    /// so the search covers a whole cycle, in which every combination of
    /// month, day and weekday the calendar has occurs. A DAILY search stops
    /// earlier, at the crate's 100,000-loop limit (273 years), past the
    /// longest wait for a day's combination (Feb 29 on a given weekday: 40 years).
    fn matches_some_date(&self) -> Result<bool, String> {
        let Some(start) = NaiveDate::from_ymd_opt(9600, 1, 1) else {
            return Ok(false);
        };
        let start = rrule::Tz::UTC.from_utc_datetime(&start.and_time(NaiveTime::MIN));
        let rule = self.template.clone().interval(1).validate(start);
        let rule = rule.map_err(|error| format!("cannot be expanded: {error}"))?;
        Ok((&RRuleSet::new(start).rrule(rule).limit())
            .into_iter()
            .next()
            .is_some())
    }
}

/// The `NAME=VALUE` parts, in the order sent, each name once and known.
fn split(text: &str) -> Result<Vec<(&str, &str)>, String> {
    let mut parts: Vec<(&str, &str)> = Vec::new();
    for part in text.split(';') {
        if part.is_empty() {
            return Err("has an empty part (a stray ;)".to_string());
        }
        let (name, value) = part
            .split_once('=')
            .filter(|(name, _)| !name.is_empty())
            .ok_or_else(|| format!("{part} is not a NAME=VALUE part"))?;
        if !PARTS.contains(&name) {
            return Err(format!(
                "{name} is not supported (use FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, WKST, COUNT or UNTIL)"
            ));
        }
        if parts.iter().any(|seen| seen.0 == name) {
            return Err(format!("{name} is given more than once"));
        }
        if value.is_empty() {
            return Err(format!("{name} has no value"));
        }
        parts.push((name, value));
    }
    Ok(parts)
}
