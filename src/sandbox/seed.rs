//! The demo seed (to be filled in).

use super::SharedState;

pub fn seed_demo(_state: &SharedState) -> Result<(), String> {
    Ok(())
}
