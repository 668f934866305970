//! `TaskFilter::is_empty`: only a filter with nothing set lets a page be read
//! on the request's thread (src/models/task_listing.rs).
use chrono::Utc;
use taskforge::domain::{
    listing::TaskFilter,
    task::{Priority, Status},
};

#[test]
fn a_filter_is_empty_only_with_nothing_set() {
    assert!(TaskFilter::default().is_empty());
    let each: [fn(&mut TaskFilter); 6] = [
        |f| f.statuses.push(Status::Complete),
        |f| f.priorities.push(Priority::Low),
        |f| f.due_after = Some(Utc::now()),
        |f| f.due_before = Some(Utc::now()),
        |f| f.overdue = Some(false),
        |f| f.terms.push("report".into()),
    ];
    for set in each {
        let mut filter = TaskFilter::default();
        set(&mut filter);
        assert!(!filter.is_empty(), "{filter:?}");
    }
}
