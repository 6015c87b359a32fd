//! Transient messages on the status line: the last error, a notice that
//! expires, and a hint for keys that did nothing.

/// How many messages a notice stays for (it also goes after a few seconds).
const NOTICE_LIFE: u8 = 40;
/// How a warning on the status line begins: it stays until replaced, since
/// what it says stays true after the action that raised it.
pub const WARNING: &str = "warning: ";
/// What the warning says when a role's callbacks go elsewhere.
pub const REPLIES_ELSEWHERE: &str = "replies will not arrive in this console";

/// Transient messages on the status line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    /// The last error, shown until the next successful action replaces it (or Esc).
    pub error: Option<String>,
    /// The last notice ("created channel ...", "saved to ...").
    pub notice: Option<String>,
    /// Counts down with each key; the notice goes at zero.
    pub notice_life: u8,
    /// Bumped with each notice, so a timer clears only the one it was set for.
    pub notice_seq: u64,
    /// A one-line hint for keys that did nothing (typed in a command context).
    pub hint: Option<String>,
}

impl Status {
    /// An action went through: earlier errors are settled, but not a warning
    /// (`WARNING`), which says something still true ("replies will not arrive").
    pub fn settle(&mut self) {
        if !self.error.as_deref().is_some_and(|e| e.starts_with(WARNING)) {
            self.error = None;
        }
    }

    /// `role`'s replies come to this console now (one arrived, or the role
    /// was pointed here): the warning that they would not is wrong (one
    /// about another role stays).
    pub fn replies_come_here(&mut self, role: &str) {
        let about_role = format!("as {role}, {REPLIES_ELSEWHERE}");
        if self.error.as_deref().is_some_and(|e| e.contains(&about_role)) {
            self.error = None;
        }
    }

    pub fn set_notice(&mut self, text: impl Into<String>) {
        self.notice = Some(text.into());
        self.notice_life = NOTICE_LIFE;
        self.notice_seq += 1;
    }

    /// One key later: the notice ages.
    pub fn age(&mut self) {
        if self.notice.is_some() {
            self.notice_life = self.notice_life.saturating_sub(1);
            if self.notice_life == 0 {
                self.notice = None;
            }
        }
    }
}
