//! Writes the window's generated module (`cargo xtask gen-ui` runs this): the record types'
//! fields, closed sets and defaults, to the path given (or stdout).

fn main() -> std::process::ExitCode {
    let text = ddesk_core::ui_module::render();
    match std::env::args_os().nth(1) {
        Some(path) => match std::fs::write(&path, text) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("could not write {}: {e}", path.to_string_lossy());
                std::process::ExitCode::FAILURE
            }
        },
        None => {
            print!("{text}");
            std::process::ExitCode::SUCCESS
        }
    }
}
