//! Deterministic made-up task content for `seed_tasks`: a tiny PRNG and
//! titles and descriptions assembled from word lists.

/// xorshift64*: deterministic, fast, and good enough for test data.
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        // Never zero (a zero state stays zero).
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-ish in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Titles and descriptions assembled from small word lists.
pub mod text {
    use super::XorShift;

    const VERBS: &[&str] = &[
        "Write",
        "Review",
        "Fix",
        "Call",
        "Email",
        "Prepare",
        "Update",
        "Plan",
        "Book",
        "Pay",
        "Schedule",
        "Draft",
        "Clean up",
        "Refactor",
        "Test",
        "Deploy",
        "Order",
        "Renew",
        "Organise",
        "Read",
        "Check",
        "Send",
        "Archive",
        "Follow up on",
    ];
    const OBJECTS: &[&str] = &[
        "quarterly report",
        "invoice",
        "dentist appointment",
        "meeting notes",
        "release notes",
        "garage",
        "onboarding checklist",
        "budget spreadsheet",
        "flight to Lisbon",
        "insurance renewal",
        "database migration",
        "customer feedback",
        "design review",
        "team offsite",
        "tax return",
        "grocery list",
        "pull request",
        "server certificates",
        "birthday present",
        "car service",
        "API documentation",
        "hiring plan",
        "backup job",
        "conference talk",
        "newsletter",
        "library books",
        "rent",
        "Q4 roadmap",
    ];
    const QUALIFIERS: &[&str] = &[
        "",
        "",
        "",
        "for Monday",
        "before the audit",
        "with Alex",
        "for the board",
        "this week",
        "again",
        "(urgent)",
        "for Maria",
        "after lunch",
        "before Friday",
        "with the new template",
        "for the Berlin office",
    ];
    const SENTENCES: &[&str] = &[
        "Numbers are in the shared drive.",
        "Ask Sam for the latest figures first.",
        "Blocked until the vendor replies.",
        "Use last year's version as a starting point.",
        "Keep it short: one page at most.",
        "Remember to attach the receipts.",
        "Double-check the totals against the bank statement.",
        "The customer asked for this twice already.",
        "See the thread from last Tuesday for context.",
        "Needs sign-off from finance before it goes out.",
        "Café on the corner has good Wi-Fi if the office is full.",
        "Split into smaller steps if it takes more than a day.",
        "Low effort, but easy to forget.",
        "Coordinate with the Zürich team about time zones.",
        "Check the staging environment first.",
    ];

    pub fn title(rng: &mut XorShift) -> String {
        let verb = rng.pick(VERBS);
        let object = rng.pick(OBJECTS);
        let qualifier = rng.pick(QUALIFIERS);
        let number = if rng.chance(30) {
            format!(" #{}", 100 + rng.below(9_900))
        } else {
            String::new()
        };
        if qualifier.is_empty() {
            format!("{verb} {object}{number}")
        } else {
            format!("{verb} {object}{number} {qualifier}")
        }
    }

    pub fn description(rng: &mut XorShift) -> String {
        let sentences = 1 + rng.below(3);
        (0..sentences)
            .map(|_| rng.pick(SENTENCES))
            .collect::<Vec<_>>()
            .join(" ")
    }
}
