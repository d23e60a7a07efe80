//! Delegation Desk desktop app: opens the event library (empty on first run, the demo only
//! when asked for) and serves the UI's commands.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod applog;
mod commands;
mod error;
mod navigation;
mod startup;
mod state;

use ddesk_core::{demo, store, Store};
use std::path::PathBuf;
use std::time::Duration;

use tauri::Manager;

use commands::{
    agenda::*, dashboard::*, ground::*, import::*, letters::*, library::*, logistics::*, output::*,
    people::*, print::*, protocol::*, safety::*, sync::*,
};
use state::AppState;

fn open_library(path: &Result<PathBuf, ddesk_core::Error>) -> Result<Store, ddesk_core::Error> {
    let path = path
        .as_ref()
        .map_err(|e| ddesk_core::Error::Io(std::io::Error::other(e.to_string())))?;
    // The passphrase in DDESK_PASSPHRASE (the tests), else the credential store; when neither
    // opens it, the window asks (the library's status says it is locked).
    let how = store::Unlock::from_environment(None)?;
    let store = Store::open(path, &how)
        .inspect_err(|e| applog::write(&format!("library not opened: {}", e.code())))?;
    applog::write(&format!(
        "library opened (schema {})",
        store::SCHEMA_VERSION
    ));
    // A new library starts empty, with the welcome page; the demo comes only when asked for
    // (the welcome page's button, `ddesk demo`, or DDESK_DEMO=1 for the tests and
    // `cargo xtask run`), so it is never mixed into an officer's own events unasked.
    if std::env::var_os("DDESK_DEMO").is_some() {
        demo::seed_if_empty(&store)?;
    }
    Ok(store)
}

/// The daily backup, made in the background so that it never delays the window: the first
/// check a little after start, then every hour while the app stays open.
fn daily_backups(app: tauri::AppHandle) {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(20));
        loop {
            let state = app.state::<AppState>();
            if let Ok(store) = state.store() {
                if let Err(e) = store.backup_if_none_today() {
                    eprintln!("delegation-desk: daily backup failed: {e}");
                    applog::write(&format!("daily backup failed: {}", e.code()));
                }
            }
            std::thread::sleep(Duration::from_secs(3600));
        }
    });
}

/// Paints the window on the CPU (WebKitGTK's non-composited mode) unless the user asked
/// otherwise. Forms and lists gain nothing from the GPU, and compositing made the web process
/// load a GL stack: about 90 MB more memory, and on machines without a GPU driver (virtual
/// machines, some office laptops) a software OpenGL rasterizer doing every paint.
/// Runs first in `main`, while the process has one thread.
fn software_painting() {
    const KEY: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if cfg!(target_os = "linux") && std::env::var_os(KEY).is_none() {
        std::env::set_var(KEY, "1");
    }
}

/// Runs the window's scripts without JavaScriptCore's optimising compilers (DFG and FTL; the
/// interpreter and the baseline compiler stay) unless the user asked otherwise. The window's
/// scripts are short handlers between the officer's clicks and the engine's answers, never hot
/// for long enough to repay them; yet the promises of loading the page's modules made the DFG
/// compile at every start, 4 MB of the web process's memory (its compiler's code and data).
/// WebKitGTK's web process inherits this process's environment. Runs first in `main`, while
/// the process has one thread.
fn baseline_scripts() {
    const KEY: &str = "JSC_useDFGJIT";
    if cfg!(target_os = "linux") && std::env::var_os(KEY).is_none() {
        std::env::set_var(KEY, "false");
    }
}

/// "Delegation Desk 0.1.0 (build 1a2b3c4d5e, library schema 8)": `--version` and the About box.
pub fn version_line() -> String {
    format!(
        "Delegation Desk {} (build {}, library schema {})",
        env!("CARGO_PKG_VERSION"),
        env!("DDESK_BUILD"),
        store::SCHEMA_VERSION
    )
}

fn main() {
    // A copy of the app started to read an untrusted registration file under a memory limit
    // (the import screen's reads) does only that, before any window or library is touched.
    ddesk_core::import::serve_if_asked();
    // A copy of the app started to fill the font cache ahead of the first print does only that.
    ddesk_core::print::serve_font_scan_if_asked();
    // For IT: which build this is, without opening a window or the library.
    if std::env::args()
        .skip(1)
        .any(|a| a == "--version" || a == "-V")
    {
        println!("{}", version_line());
        println!(
            "library: {}",
            store::default_library_path()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|e| e.to_string())
        );
        return;
    }
    software_painting();
    baseline_scripts();
    applog::start(&version_line());
    let library = store::default_library_path();
    let library_path = library.as_ref().ok().cloned();
    // Opened beside the window's start; the first command waits for it (AppState::slot).
    let opening = std::thread::spawn(move || open_library(&library));
    // A new install's first print would scan every font: on the first start, a copy of the app
    // scans now, on the core the window's start leaves mostly idle.
    ddesk_core::print::scan_fonts_ahead_if_missing();
    tauri::Builder::default()
        // A second launch brings the running window forward instead of opening the same
        // library twice.
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            // A bundle double-clicked while the window is open: kept for the window, which
            // asks for it when it comes forward.
            if let Some(bundle) = args.iter().find(|a| startup::is_bundle(a)) {
                let state = app.state::<AppState>();
                *state
                    .opened_bundle
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some(PathBuf::from(bundle));
            }
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(navigation::guard())
        // The system's Save dialog for PDFs, called from Rust only (no window permission).
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState::new(
            library_path,
            opening,
            startup::Startup::from_args(
                std::env::args().skip(1),
                std::env::var_os("DDESK_PROBE").is_some(),
            ),
        ))
        .invoke_handler(tauri::generate_handler![
            sync_status,
            sync_opened_pending,
            sync_receive_opened,
            sync_share,
            sync_send,
            sync_receive,
            sync_conflicts,
            sync_reverse,
            sync_folder_set,
            sync_folder_round,
            app_startup,
            app_about,
            demo_open,
            event_copy_setup,
            open_logs_folder,
            catalogue,
            demo_remove,
            ui_metric,
            library_status,
            library_unlock,
            library_passphrase_set,
            purge_status,
            purge_reminder_set,
            purge_event,
            backups_list,
            backup_now,
            backup_restore,
            library_check,
            history_list,
            undo_next,
            undo_last,
            import_fields,
            import_read,
            import_preview,
            import_commit,
            print_preview,
            print_small_names,
            print_save,
            print_open,
            print_mark_printed,
            print_offset_get,
            print_offset_set,
            print_colors_get,
            print_color_set,
            export_save,
            itinerary_save,
            registration_form_save,
            output_open,
            letter_template_get,
            letter_template_save,
            letter_template_reset,
            letter_preview,
            letter_recipients,
            letterhead_get,
            letterhead_save,
            letter_image_save,
            letter_write,
            letter_register,
            vehicle_get,
            vehicle_save,
            vehicle_delete,
            vehicle_list,
            run_get,
            run_save,
            run_delete,
            run_list,
            transport_plan,
            transport_apply,
            passenger_add,
            passenger_move,
            passenger_remove,
            transport_settings_get,
            transport_settings_save,
            protocol_ranks,
            protocol_ranks_save,
            precedence_list,
            precedence_move,
            delegations_arrange,
            seating_plan,
            seating_propose,
            seating_move,
            desk_board,
            desk_set_status,
            checkin_scan,
            checkin_admit,
            checkin_undo,
            checkin_counts,
            events_list,
            event_dashboard,
            setting_get,
            setting_set,
            countries,
            organizations,
            delegation_list,
            official_list,
            travel_list,
            hotel_list,
            room_block_list,
            stay_list,
            venue_list,
            venue_room_list,
            session_list,
            participant_list,
            participants_add,
            participant_attend,
            roster_left_out,
            roster_remove,
            roster_role,
            event_get,
            event_save,
            event_delete,
            delegation_get,
            delegation_save,
            delegation_delete,
            official_get,
            official_save,
            official_lookalikes,
            official_search_warm,
            official_delete,
            travel_get,
            travel_save,
            travel_delete,
            hotel_get,
            hotel_save,
            hotel_delete,
            room_block_get,
            room_block_save,
            room_block_delete,
            stay_get,
            stay_save,
            stay_delete,
            venue_get,
            venue_save,
            venue_delete,
            venue_room_get,
            venue_room_save,
            venue_room_delete,
            session_get,
            session_save,
            session_delete,
            participant_get,
            participant_save,
            participant_delete,
        ])
        .setup(|app| {
            daily_backups(app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("delegation-desk: could not start: {e}");
            std::process::exit(1);
        });
}

#[cfg(test)]
mod tests {
    /// The names between two markers of a source file, one per line (`name,` or `"name",`).
    fn names(source: &str, from: &str, to: &str) -> std::collections::BTreeSet<String> {
        let start = source.find(from).expect("start marker") + from.len();
        let end = start + source[start..].find(to).expect("end marker");
        source[start..end]
            .lines()
            .map(|l| l.trim().trim_end_matches(',').trim_matches('"').to_string())
            .filter(|l| !l.is_empty() && !l.starts_with("//"))
            .collect()
    }

    /// A command the window calls must be both handled and permitted: one missing from
    /// build.rs's list fails in the window with a permission error, not in the build.
    #[test]
    fn every_handled_command_is_permitted() {
        let handled = names(include_str!("main.rs"), "tauri::generate_handler![", "])");
        let permitted = names(
            include_str!("../build.rs"),
            "const COMMANDS: &[&str] = &[",
            "];",
        );
        assert_eq!(handled, permitted);
    }
}
