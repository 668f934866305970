//! How `seed_tasks` spreads its tasks over lists and labels (vars
//! `lists:<n>`, `labelled:<n>`, `label:<name>`): the shape of the
//! organizing benchmark (`bench/organizing`), e.g. a million tasks over 50
//! lists, ten thousand of them carrying one label.
use loco_rs::{task::Vars, Error, Result};
use sea_orm::{ActiveValue, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    db::Db,
    domain::organizing::{LabelName, ListName},
    models::{
        _entities::task_labels,
        labels::{self, LabelInput},
        lists::{self, ListInput},
        tasks,
    },
};

/// Where the `i`-th seeded task goes.
pub struct Organizing {
    /// The inbox first, then `Seed list 2` … `Seed list <n>`.
    lists: Vec<Uuid>,
    /// The label, and every how many tasks one carries it.
    label: Option<(i32, usize)>,
    /// How many tasks carry it at most.
    labelled: usize,
}

impl Organizing {
    /// The lists and the label the vars ask for, made when missing.
    ///
    /// # Errors
    /// A bad var; database errors.
    pub async fn prepare(db: &Db, owner_id: i32, vars: &Vars, count: usize) -> Result<Self> {
        let wanted = super::seed_tasks::number_var(vars, "lists", 1)?.max(1);
        let labelled = super::seed_tasks::number_var(vars, "labelled", 0)?.min(count);
        let failed = |e: crate::errors::ApiError| Error::string(&e.to_string());
        let mut lists = vec![
            lists::Model::inbox_of(db, owner_id)
                .await
                .map_err(failed)?
                .pid,
        ];
        for n in 2..=wanted {
            let name = ListName::parse(&format!("Seed list {n}")).map_err(|e| Error::string(&e))?;
            let found = lists::Entity::find()
                .filter(lists::Column::UserId.eq(owner_id))
                .filter(lists::Column::NameKey.eq(name.key()))
                .one(db)
                .await?;
            let list = match found {
                Some(list) => list,
                None => {
                    let input = ListInput {
                        name,
                        color: None,
                        archived: false,
                    };
                    lists::Model::create_for_owner(db, owner_id, input, u32::MAX)
                        .await
                        .map_err(failed)?
                }
            };
            lists.push(list.pid);
        }
        let label = match count.checked_div(labelled) {
            None => None,
            Some(every) => {
                let raw = vars.cli.get("label").map_or("seeded", String::as_str);
                let name =
                    LabelName::parse(raw).map_err(|e| Error::string(&format!("label: {e}")))?;
                let label = match labels::filter_ids(db, owner_id, &[name.key()]).await? {
                    Some(ids) => ids[0],
                    None => {
                        let input = LabelInput { name, color: None };
                        labels::Model::create_for_owner(db, owner_id, input, u32::MAX)
                            .await
                            .map_err(failed)?
                            .id
                    }
                };
                Some((label, every))
            }
        };
        Ok(Self {
            lists,
            label,
            labelled,
        })
    }

    /// The list of the `i`-th task and its key there: tasks go round the
    /// lists, each list's in creation order (fixed-width row numbers, as
    /// the tree migration numbers existing tasks).
    #[must_use]
    pub fn place(&self, i: usize) -> (Uuid, String) {
        let n = self.lists.len();
        (self.lists[i % n], format!("{:09}V", i / n))
    }

    /// Whether the `i`-th task carries the label.
    #[must_use]
    pub fn labelled(&self, i: usize) -> bool {
        self.label
            .is_some_and(|(_, every)| i.is_multiple_of(every) && i / every < self.labelled)
    }

    /// The `task_labels` rows of the labelled tasks among `rows`.
    #[must_use]
    pub fn label_rows(&self, rows: &[tasks::ActiveModel]) -> Vec<task_labels::ActiveModel> {
        let Some((label, _)) = self.label else {
            return Vec::new();
        };
        rows.iter()
            .filter(|row| row.label_count.as_ref() == &1)
            .map(|row| task_labels::ActiveModel {
                task_pid: ActiveValue::Set(*row.pid.as_ref()),
                label_id: ActiveValue::Set(label),
                task_created_at: ActiveValue::Set(*row.created_at.as_ref()),
            })
            .collect()
    }
}
