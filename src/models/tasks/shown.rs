//! A task as every answer shows it: the row and the names of its labels.
use super::Model;
use crate::{db::Db, errors::ApiError, models::labels};

/// A task with the names of its labels, sorted ignoring case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub task: Model,
    pub labels: Vec<String>,
}

impl Shown {
    /// `task` carrying `labels` (just written).
    #[must_use]
    pub fn with_labels(task: Model, mut labels: Vec<labels::Model>) -> Self {
        labels.sort_by(|a, b| (&a.name_key, &a.name).cmp(&(&b.name_key, &b.name)));
        Self {
            task,
            labels: labels.into_iter().map(|l| l.name).collect(),
        }
    }

    /// `task` with its labels read; a task without labels
    /// (`label_count` 0, most of them) costs no read.
    ///
    /// # Errors
    /// Database errors.
    pub async fn read(db: &Db, task: Model) -> Result<Self, ApiError> {
        if task.label_count == 0 {
            return Ok(Self {
                task,
                labels: Vec::new(),
            });
        }
        let labels = labels::names_of(db, vec![task.pid])
            .await?
            .remove(&task.pid)
            .unwrap_or_default();
        Ok(Self { task, labels })
    }
}
