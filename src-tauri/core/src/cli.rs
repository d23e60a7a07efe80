//! `ddesk`: the command-line front end over the same engine and library file as the app.
//! It lives in the library so the test crate can build the very same program as its own
//! binary (with its own feature set, instead of a second build of the engine).
//!
//! Exit codes: 0 ok, 1 a problem with what the user asked or gave (one line on stderr),
//! 2 an internal error.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::export::{self, ExportRequest, Format as ExportFormat, Table};
use crate::import::{self, Decisions, DuplicateAction, ReadOptions, RowStatus};
use crate::model::{Category, Language};
use crate::print::itinerary::{self, ItineraryFormat, ItineraryRequest, Scope};
use crate::print::{self, BadgeLayout, Document, Offset, PrintRequest, Selection};
use crate::queries::{self, OfficialQuery};
use crate::{backup, checks, demo, generate, store, Error, Store};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "ddesk", version, about = "Delegation Desk on the command line")]
struct Cli {
    /// The event library file (default: the app's own library in the OS app-data folder).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the demo events, or reset them to their original state.
    Demo,
    /// List events: id, English name, Korean name, start date, end date (tab-separated).
    Events,
    /// List an event's officials: id, passport name, native-script name, badge name,
    /// delegation, category, status (tab-separated).
    Officials {
        #[arg(long, value_name = "ID")]
        event: String,
    },
    /// Check the library file: full integrity check, foreign keys, record counts.
    Doctor,
    /// Write a consistent copy of the library to FILE (refuses an existing FILE without --force).
    Backup {
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Replace the library with a backup, after backing up the library as it is. Close the app
    /// first.
    Restore {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// List the library's automatic backups, newest first: created (UTC), size in bytes,
    /// reason, path (tab-separated).
    Backups,
    /// Generate a large made-up event (same seed, same event) for scale tests and benchmarks.
    Generate {
        #[arg(long, default_value_t = 20_000)]
        officials: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Import officials (with flights and hotel stays) from an XLSX/XLS/ODS workbook or a
    /// CSV/TSV file. Prints the preview (columns, per-row status and messages, a summary);
    /// writes nothing if any row has an error, unless --skip-errors.
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(long, value_name = "ID")]
        event: String,
        /// The workbook sheet to read (default: the first with cells).
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// The text encoding of a CSV/TSV file, e.g. cp949, utf-8, utf-16 (default: detected).
        #[arg(long, value_name = "NAME")]
        encoding: Option<String>,
        /// The row that holds the headers, as the spreadsheet numbers it (default: found).
        #[arg(long, value_name = "N")]
        header_row: Option<usize>,
        /// Show the preview only; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// What to do with a row that duplicates an official of the event or an earlier row.
        #[arg(long, value_name = "skip|update|new", default_value = "skip", value_parser = ["skip", "update", "new"])]
        on_duplicate: String,
        /// Import the rows without errors and leave the others out.
        #[arg(long)]
        skip_errors: bool,
        /// Print the preview as JSON (the shape the app's Import screen receives).
        #[arg(long)]
        json: bool,
    },
    /// Print a document to PDF: badges, participants, signin (a session's sign-in sheet),
    /// delegation (lists per delegation), rooming (per hotel), arrivals, departures. Prints the
    /// file and its page count.
    Print(PrintArgs),
    /// Itineraries (PDF in each official's language, or iCalendar): for one official into the
    /// file OUT; for a delegation (one file per member and a combined file) or everyone (one
    /// file per official, named "Country - FAMILY Given") into the folder OUT.
    Itinerary {
        #[arg(long, value_name = "ID")]
        event: String,
        #[arg(long, value_name = "ID", group = "who")]
        official: Option<String>,
        #[arg(long, value_name = "ID", group = "who")]
        delegation: Option<String>,
        #[arg(long, group = "who")]
        all: bool,
        #[arg(long, default_value = "pdf", value_parser = parse_itinerary_format)]
        format: ItineraryFormat,
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: PathBuf,
        /// Replace itineraries already in the folder OUT (without it, such a folder is refused).
        #[arg(long)]
        force: bool,
    },
    /// A table as a spreadsheet: officials, delegations, rooming (one hotel with --hotel, else
    /// every hotel), roster (of --session), arrivals, departures, diets; or all (every table in
    /// one XLSX workbook, the roster included when --session is given).
    Export {
        #[arg(value_parser = parse_table)]
        what: Vec<ExportChoice>,
        #[arg(long, value_name = "ID")]
        event: String,
        #[arg(long, default_value = "xlsx", value_parser = parse_export_format)]
        format: ExportFormat,
        #[arg(long, value_name = "ID")]
        hotel: Option<String>,
        #[arg(long, value_name = "ID")]
        session: Option<String>,
        /// Column headers, country and hotel names in English (en) or Korean (ko).
        #[arg(long, default_value = "en", value_parser = parse_language)]
        lang: Language,
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: PathBuf,
    },
    /// Find logistics problems in an event: one per line (severity, code, sentence), worst first.
    Check {
        #[arg(long, value_name = "ID")]
        event: String,
        /// Print the problems as JSON instead.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PrintKind {
    Badges,
    Participants,
    Signin,
    Delegation,
    Rooming,
    Arrivals,
    Departures,
}

#[derive(clap::Args)]
struct PrintArgs {
    #[arg(value_enum)]
    what: PrintKind,
    #[arg(long, value_name = "ID")]
    event: String,
    /// Badge sheet: a4-8 (8 per A4, cut marks), a6-4 (4 A6 per A4), cr80 (card printer),
    /// a4-fold (folded, name on both sides).
    #[arg(long, default_value = "a4-8", value_parser = parse_layout)]
    layout: BadgeLayout,
    /// signin: the session.
    #[arg(long, value_name = "ID")]
    session: Option<String>,
    /// rooming: only this hotel.
    #[arg(long, value_name = "ID")]
    hotel: Option<String>,
    /// badges, delegation: only this delegation.
    #[arg(long, value_name = "ID")]
    delegation: Option<String>,
    /// badges: only this category (head_of_delegation, delegate, speaker, observer, vip,
    /// staff, press, interpreter).
    #[arg(long, value_parser = parse_category)]
    category: Option<Category>,
    /// badges: exactly these officials (repeat the option).
    #[arg(long = "official", value_name = "ID")]
    officials: Vec<String>,
    /// badges: only those never printed before.
    #[arg(long)]
    not_printed: bool,
    /// badges: print badges that were printed before without stopping to ask.
    #[arg(long)]
    reprint: bool,
    /// badges: move everything on the sheet by X,Y millimetres (remembered for the layout).
    #[arg(long, value_name = "X,Y", value_parser = parse_offset, allow_hyphen_values = true)]
    offset: Option<Offset>,
    /// signin: blank rows for walk-ins.
    #[arg(long, default_value_t = 10)]
    blank_rows: usize,
    /// Labels, event and delegation names in English (en) or Korean (ko).
    #[arg(long, default_value = "en", value_parser = parse_language)]
    lang: Language,
    /// Column headers in English and Korean.
    #[arg(long)]
    bilingual: bool,
    #[arg(short = 'o', long = "output", value_name = "OUT.pdf")]
    output: PathBuf,
}

fn parse_layout(text: &str) -> Result<BadgeLayout, String> {
    BadgeLayout::parse(text).ok_or_else(|| "one of a4-8, a6-4, cr80, a4-fold".into())
}

fn parse_category(text: &str) -> Result<Category, String> {
    Category::parse(&text.replace('-', "_")).ok_or_else(|| {
        "one of head_of_delegation, delegate, speaker, observer, vip, staff, press, interpreter"
            .into()
    })
}

/// A table, or every table.
#[derive(Clone, Copy)]
enum ExportChoice {
    One(Table),
    All,
}

fn parse_table(text: &str) -> Result<ExportChoice, String> {
    if text == "all" {
        return Ok(ExportChoice::All);
    }
    Table::parse(text).map(ExportChoice::One).ok_or_else(|| {
        "one of officials, delegations, rooming, roster, arrivals, departures, diets, all".into()
    })
}

fn parse_export_format(text: &str) -> Result<ExportFormat, String> {
    ExportFormat::parse(text).ok_or_else(|| "csv or xlsx".into())
}

fn parse_itinerary_format(text: &str) -> Result<ItineraryFormat, String> {
    ItineraryFormat::parse(text).ok_or_else(|| "pdf or ics".into())
}

fn parse_language(text: &str) -> Result<Language, String> {
    Language::parse(text).ok_or_else(|| "en or ko".into())
}

fn parse_offset(text: &str) -> Result<Offset, String> {
    let (x, y) = text
        .split_once(',')
        .ok_or("X,Y in millimetres, e.g. 1.5,-2")?;
    let number = |s: &str| {
        s.trim()
            .parse::<f64>()
            .map_err(|_| format!("{s:?} is not a number"))
    };
    Ok(Offset {
        x_mm: number(x)?,
        y_mm: number(y)?,
    })
}

fn print_document(store: &Store, args: PrintArgs) -> Result<(), Error> {
    let document = match args.what {
        PrintKind::Badges => {
            let selection = if !args.officials.is_empty() {
                Selection::Officials {
                    ids: args.officials.clone(),
                }
            } else if args.not_printed {
                Selection::NotPrinted
            } else if let Some(id) = &args.delegation {
                Selection::Delegation { id: id.clone() }
            } else if let Some(category) = args.category {
                Selection::Category { category }
            } else {
                Selection::All
            };
            Document::Badges {
                layout: args.layout,
                selection,
            }
        }
        PrintKind::Participants => Document::Participants,
        PrintKind::Signin => Document::SignIn {
            session_id: args.session.clone().ok_or_else(|| {
                Error::field("session", "required", "A sign-in sheet needs --session ID.")
            })?,
            blank_rows: args.blank_rows,
        },
        PrintKind::Delegation => Document::Delegation {
            delegation_id: args.delegation.clone(),
        },
        PrintKind::Rooming => Document::Rooming {
            hotel_id: args.hotel.clone(),
        },
        PrintKind::Arrivals => Document::Arrivals,
        PrintKind::Departures => Document::Departures,
    };
    if let Some(offset) = args.offset {
        print::set_offset(store, args.layout, offset)?;
    }
    let request = PrintRequest {
        language: args.lang,
        bilingual: args.bilingual,
        ..PrintRequest::new(&args.event, document)
    };
    let typeset = print::typeset(store, &request, &|_, _| {})?;
    let badges = matches!(request.document, Document::Badges { .. });
    if badges && !args.reprint {
        let again = store.read(|c| print::already_printed(c, &typeset.badge_ids))?;
        if !again.is_empty() {
            return Err(Error::Conflict {
                message: format!(
                    "{} of these {} badge(s) were printed before; add --reprint to print them again, or --not-printed to leave them out.",
                    again.len(),
                    typeset.badge_ids.len()
                ),
                count: again.len() as i64,
            });
        }
    }
    let pdf = typeset.pdf()?;
    crate::files::write_aside(&args.output, &pdf)?;
    if badges {
        print::record_printed(store, &typeset.badge_ids, args.layout)?;
    }
    println!("{}\t{}", args.output.display(), typeset.pages());
    Ok(())
}

fn library_path(cli: &Cli) -> Result<PathBuf, Error> {
    match &cli.db {
        Some(path) => Ok(path.clone()),
        None => store::default_library_path(),
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    let path = library_path(&cli)?;
    // These two work on files, not on an open library: restore must replace the file while
    // nothing has it open, and listing needs no more than the folder.
    match &cli.command {
        Command::Restore { file } => {
            let report = backup::restore(&path, file)?;
            println!("restored\t{}", file.display());
            if let Some(safety) = report.safety_backup {
                println!("safety_backup\t{}", safety.path.display());
            }
            if let Some(aside) = report.set_aside {
                println!("set_aside\t{}", aside.display());
            }
            return Ok(());
        }
        Command::Backups => {
            for b in backup::list_backups(&path)? {
                println!(
                    "{}\t{}\t{}\t{}",
                    b.created_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    b.size_bytes,
                    b.reason,
                    b.path.display()
                );
            }
            return Ok(());
        }
        _ => {}
    }
    let store = Store::open(&path)?;
    if let Some(warning) = crate::files::network_warning(&path) {
        eprintln!("ddesk: warning: {warning}");
    }
    match cli.command {
        Command::Demo => {
            for event in demo::reset(&store)? {
                println!("{}\t{}", event.id, event.name_en);
            }
        }
        Command::Events => {
            for e in store.read(queries::events)? {
                let e = e.event;
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    e.id, e.name_en, e.name_ko, e.start_date, e.end_date
                );
            }
        }
        Command::Officials { event } => {
            store.get::<crate::model::Event>(&event)?;
            let page = store.read(|c| queries::officials(c, &event, &OfficialQuery::default()))?;
            for row in page.rows {
                let o = &row.official;
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    o.id,
                    row.full_name,
                    o.native_name,
                    o.badge_name,
                    row.delegation_name_en,
                    o.category,
                    o.status
                );
            }
        }
        Command::Print(args) => print_document(&store, args)?,
        Command::Itinerary {
            event,
            official,
            delegation,
            all,
            format,
            output,
            force,
        } => {
            let scope = match (official, delegation, all) {
                (Some(id), _, _) => Scope::Official { id },
                (None, Some(id), _) => Scope::Delegation { id },
                (None, None, true) => Scope::All,
                (None, None, false) => {
                    return Err(Error::field(
                        "scope",
                        "required",
                        "Say whose itineraries: --official ID, --delegation ID or --all.",
                    ))
                }
            };
            let one = matches!(scope, Scope::Official { .. });
            let request = ItineraryRequest {
                event_id: event,
                scope,
                format,
                printed_on: None,
            };
            let files = itinerary::itineraries(&store, &request, &|done, total| {
                eprint!("\r{done}/{total} itineraries");
            })?;
            eprintln!();
            if one {
                let file = files
                    .first()
                    .ok_or(Error::NotFound { entity: "official" })?;
                crate::files::write_aside(&output, &file.bytes)?;
                println!("{}", output.display());
            } else {
                let n = itinerary::write_files(&output, &files, force)?;
                println!("{n} files in {}", output.display());
            }
        }
        Command::Export {
            what,
            event,
            format,
            hotel,
            session,
            lang,
            output,
        } => {
            let mut tables = Vec::new();
            for choice in what {
                match choice {
                    ExportChoice::One(t) => tables.push(t),
                    ExportChoice::All => tables.extend(
                        Table::ALL
                            .iter()
                            .copied()
                            .filter(|t| *t != Table::Roster || session.is_some()),
                    ),
                }
            }
            let request = ExportRequest {
                event_id: event,
                tables,
                format,
                hotel_id: hotel,
                session_id: session,
                language: lang,
            };
            let bytes = export::export(&store, &request)?;
            crate::files::write_aside(&output, &bytes)?;
            println!("{}", output.display());
        }
        Command::Check { event, json } => {
            let data = store.read_apart(|c| checks::EventData::load(c, &event))?;
            let problems = checks::run_all(&data);
            if json {
                println!("{}", serde_json::to_string_pretty(&problems)?);
            } else {
                for p in &problems {
                    println!("{}\t{}\t{}", p.severity.as_str(), p.code, p.message);
                }
            }
        }
        Command::Import {
            file,
            event,
            sheet,
            encoding,
            header_row,
            dry_run,
            on_duplicate,
            skip_errors,
            json,
        } => {
            let options = ReadOptions {
                sheet,
                encoding,
                header_row,
            };
            let decisions = Decisions {
                default: DuplicateAction::parse(&on_duplicate).unwrap_or_default(),
                skip_errors,
                ..Decisions::default()
            };
            import_file(&store, &file, &event, &options, &decisions, dry_run, json)?;
        }
        Command::Generate { officials, seed } => {
            if officials > 50_000 {
                return Err(Error::field(
                    "officials",
                    "invalid_value",
                    "At most 50,000 officials can be generated.",
                ));
            }
            let event = generate::generate(&store, generate::Spec::new(officials, seed))?;
            println!("{}\t{}", event.id, event.name_en);
        }
        Command::Backup { output, force } => {
            let size = store.backup_to(&output, force)?;
            println!("{}\t{size}", output.display());
        }
        Command::Restore { .. } | Command::Backups => {}
        Command::Doctor => {
            let health = store.health()?;
            println!("file\t{}", path.display());
            println!("schema\t{}", health.schema_version);
            println!("integrity\t{}", health.integrity.join("; "));
            println!("foreign_key_problems\t{}", health.foreign_key_problems);
            for (table, n) in &health.counts {
                println!("{table}\t{n}");
            }
            if !health.is_ok() {
                return Err(Error::Damaged(format!(
                    "{} failed the integrity check.",
                    path.display()
                )));
            }
        }
    }
    Ok(())
}

/// Shows cell text on one terminal line: control characters (escape sequences, line breaks
/// from hostile cells) are printed escaped, never sent to the terminal.
fn clean(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

fn import_file(
    store: &Store,
    file: &std::path::Path,
    event: &str,
    options: &ReadOptions,
    decisions: &Decisions,
    dry_run: bool,
    json: bool,
) -> Result<(), Error> {
    store.get::<crate::model::Event>(event)?;
    // Read by a child copy of this program under a memory limit: a hostile workbook can
    // exhaust it, never this process (issue 15).
    let table = import::read_file_isolated(&std::env::current_exe()?, file, options)?;
    let remembered = store.read(|c| import::remembered_mapping(c, &table.headers))?;
    let mapping = import::auto_mapping(&table.headers, remembered.as_ref());
    mapping.check(table.headers.len())?;
    let preview = store.read(|c| import::preview(c, event, &table, &mapping))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&preview)?);
    } else {
        let encoding = match (&table.encoding, table.encoding_guessed) {
            (Some(e), true) => format!("{e} (guessed)"),
            (Some(e), false) => e.clone(),
            (None, _) => table
                .sheet
                .clone()
                .map(|s| format!("sheet {s}"))
                .unwrap_or_default(),
        };
        println!(
            "file\t{}\t{}\t{}",
            clean(&table.file_name),
            serde_json::to_value(table.format)?.as_str().unwrap_or(""),
            clean(&encoding)
        );
        println!("header_row\t{}", table.header_row);
        for (header, field) in table.headers.iter().zip(&mapping.columns) {
            println!(
                "column\t{}\t{}",
                clean(header),
                field.map(|f| f.as_str()).unwrap_or("-")
            );
        }
        for note in &preview.notes {
            println!("note\t{}\t{}", note.severity.as_str(), clean(&note.message));
        }
        for row in &preview.rows {
            let status = match row.status {
                RowStatus::New => "new",
                RowStatus::Duplicate => "duplicate",
                RowStatus::Error => "error",
            };
            let delegation = row
                .delegation
                .as_ref()
                .map(|d| {
                    let mark = if d.id.is_none() { " (new)" } else { "" };
                    format!("{}{mark}", d.name_en)
                })
                .unwrap_or_default();
            println!(
                "row\t{}\t{status}\t{}\t{}",
                row.row,
                clean(&row.official.full_name()),
                clean(&delegation)
            );
            if let Some(d) = &row.duplicate_of {
                println!(
                    "duplicate\t{}\t{}\t{}\t{}",
                    row.row,
                    d.official_id,
                    clean(&d.existing.full_name()),
                    d.reason.describe()
                );
            }
            if let Some(d) = &row.duplicate_in_file {
                println!(
                    "duplicate\t{}\trow {}\t\t{}",
                    row.row,
                    d.row,
                    d.reason.describe()
                );
            }
            for m in &row.messages {
                println!(
                    "message\t{}\t{}\t{}\t{}",
                    row.row,
                    m.severity.as_str(),
                    m.field.as_deref().unwrap_or(""),
                    clean(&m.message)
                );
            }
        }
        let c = preview.counts;
        println!(
            "summary\trows {}\tnew {}\tduplicate {}\terror {}\twarning {}",
            c.rows, c.new, c.duplicate, c.error, c.warning
        );
    }
    if preview.counts.error > 0 && !decisions.skip_errors {
        return Err(Error::Import {
            code: "rows_have_errors",
            message: format!(
                "{} row(s) have errors; correct them or pass --skip-errors. Nothing was imported.",
                preview.counts.error
            ),
        });
    }
    if dry_run {
        if !json {
            println!("dry_run\tnothing written");
        }
        return Ok(());
    }
    let report = import::commit(
        store,
        event,
        &table,
        &mapping,
        decisions,
        Some(&preview),
        &|_, _| {},
    )?;
    if !json {
        println!(
            "imported\tbatch {}\tcreated {}\tupdated {}\tskipped {}\terrors_skipped {}\tdelegations_created {}\ttravel {}\tstays {}",
            report.batch_id,
            report.created,
            report.updated,
            report.skipped,
            report.errors_skipped,
            report.delegations_created,
            report.travel_written,
            report.stays_written
        );
    }
    Ok(())
}

pub fn main() -> ExitCode {
    crate::import::serve_if_asked();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            print!("{e}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprint!("{e}");
            return ExitCode::from(1);
        }
    };
    let path = library_path(&cli).ok();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A damaged library: say which backup would bring it back, on the same line.
            let offer = match (&e, &path) {
                (Error::Damaged(_), Some(path)) => backup::newest_good_backup(path)
                    .ok()
                    .flatten()
                    .map(|b| {
                        format!(
                            " The newest good backup is {} ({}); `ddesk restore` it to go back to it.",
                            b.path.display(),
                            b.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                        )
                    }),
                _ => None,
            };
            eprintln!("ddesk: {e}{}", offer.unwrap_or_default());
            // An internal error's cause is what a bug report needs.
            let mut cause = std::error::Error::source(&e);
            while let Some(c) = cause {
                eprintln!("  caused by: {c}");
                cause = c.source();
            }
            if e.is_user_error() {
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            }
        }
    }
}
