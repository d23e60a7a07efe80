//! Tauri commands, grouped by area. Each converts its arguments, makes one call into the
//! engine and returns the result; no SQL or rules live here.

pub mod agenda;
pub mod dashboard;
pub mod import;
pub mod library;
pub mod logistics;
pub mod output;
pub mod people;
pub mod print;
pub mod safety;

/// get / save / delete for one record type.
macro_rules! record_commands {
    ($ty:ty, $get:ident, $save:ident, $delete:ident) => {
        #[tauri::command(async, rename_all = "snake_case")]
        pub fn $get(
            state: tauri::State<'_, $crate::state::AppState>,
            id: String,
        ) -> Result<$ty, $crate::error::CommandError> {
            Ok(state.store()?.get::<$ty>(&id)?)
        }

        #[tauri::command(async, rename_all = "snake_case")]
        pub fn $save(
            state: tauri::State<'_, $crate::state::AppState>,
            record: $ty,
        ) -> Result<$ty, $crate::error::CommandError> {
            Ok(state.store()?.save(record)?)
        }

        #[tauri::command(async, rename_all = "snake_case")]
        pub fn $delete(
            state: tauri::State<'_, $crate::state::AppState>,
            id: String,
            cascade: Option<bool>,
        ) -> Result<(), $crate::error::CommandError> {
            Ok(state
                .store()?
                .delete::<$ty>(&id, cascade.unwrap_or(false))?)
        }
    };
}

/// A list of one event's rows.
macro_rules! list_command {
    ($name:ident, $query:path, $row:ty) => {
        #[tauri::command(async, rename_all = "snake_case")]
        pub fn $name(
            state: tauri::State<'_, $crate::state::AppState>,
            event_id: String,
        ) -> Result<Vec<$row>, $crate::error::CommandError> {
            Ok(state.store()?.read(|conn| $query(conn, &event_id))?)
        }
    };
}

/// One page of a list that grows with the event (flights, stays).
macro_rules! page_command {
    ($name:ident, $query:path, $row:ty) => {
        #[tauri::command(async, rename_all = "snake_case")]
        pub fn $name(
            state: tauri::State<'_, $crate::state::AppState>,
            event_id: String,
            query: Option<ddesk_core::queries::ListQuery>,
        ) -> Result<ddesk_core::queries::Page<$row>, $crate::error::CommandError> {
            let query = query.unwrap_or_default();
            Ok(state
                .store()?
                .read(|conn| $query(conn, &event_id, &query))?)
        }
    };
}

pub(crate) use list_command;
pub(crate) use page_command;
pub(crate) use record_commands;
