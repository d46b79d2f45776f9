//! Who may see a report, decided in one place for every query that returns reports or their photos.
use crate::domain::{Report, Role, User};

/// Who may see a report: its reporter, the grid workers of its grid, admins, the reporters of reports rejected
/// as its duplicates (they follow its progress instead), and the staff of every department called to it (吹哨; a
/// department that handed it back still sees what became of it). The one place this is decided: a condition on
/// the alias `r` with four numbered parameters from `first` on, bound with [`Viewer::binds`].
pub fn visible_sql(first: usize) -> String {
    format!(
        "(?{a} OR r.reporter_id = ?{u} OR (r.grid_id IS NOT NULL AND r.grid_id = ?{g})
          OR r.id IN (SELECT d.duplicate_of FROM reports d WHERE d.reporter_id = ?{u} AND d.duplicate_of IS NOT NULL)
          OR r.id IN (SELECT c.report_id FROM task_calls c WHERE c.department_id = ?{d}))",
        a = first,
        u = first + 1,
        g = first + 2,
        d = first + 3,
    )
}

/// The values of [`visible_sql`]'s parameters for one user.
pub struct Viewer {
    pub admin: bool,
    pub user_id: String,
    pub grid_id: Option<String>,
    /// Department staff's department.
    pub department_id: Option<String>,
}

impl Viewer {
    pub fn of(user: &User) -> Viewer {
        Viewer {
            admin: user.role == Role::Admin,
            user_id: user.id.clone(),
            grid_id: user
                .grid_id
                .clone()
                .filter(|_| user.role == Role::GridWorker),
            department_id: user
                .department_id
                .clone()
                .filter(|_| user.role == Role::DepartmentStaff),
        }
    }

    /// Whether this viewer decides about the reports of `grid_id` (admins, and the grid's workers): who is a
    /// duplicate of what, who else reported it.
    pub fn decides(&self, grid_id: Option<&str>) -> bool {
        self.admin || (self.grid_id.is_some() && self.grid_id.as_deref() == grid_id)
    }

    /// A report as this viewer may see it: possible duplicates (other people's report ids) only for the grid's
    /// workers and admins, who are the ones deciding whether it is a duplicate.
    pub fn shape(&self, mut report: Report) -> Report {
        if !self.decides(report.grid_id.as_deref()) {
            report.possible_duplicates.clear();
        }
        report.my_verdict = report.round_verdicts.get(&self.user_id).copied();
        report.round_verdicts.clear();
        report
    }

    pub fn binds<'q, O>(
        &'q self,
        query: crate::server::db::Query<'q, O>,
    ) -> crate::server::db::Query<'q, O> {
        query
            .bind(self.admin)
            .bind(&self.user_id)
            .bind(&self.grid_id)
            .bind(&self.department_id)
    }
}
