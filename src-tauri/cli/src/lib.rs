//! `ddesk`, the command line: every verb is a call into the engine (`ddesk_core`), with its
//! arguments parsed by clap and its answer printed; nothing here decides anything. It is a
//! library so the test crate can build the very same program as its own binary.
//!
//! Exit codes: 0 ok, 1 a problem with what the user asked or gave (one line on stderr),
//! 2 an internal error.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ddesk_core::export::{self, ExportRequest, Format as ExportFormat, Table};
use ddesk_core::import::{self, Decisions, DuplicateAction, ReadOptions, RowStatus};
use ddesk_core::model::{Category, Delegation, Language, Membership, Record};
use ddesk_core::print::itinerary::{self, ItineraryFormat, ItineraryRequest, Scope};
use ddesk_core::print::letters::{
    self, LetterFormat, LetterKind, LetterRequest, Recipients as LetterRecipients,
};
use ddesk_core::print::{self, BadgeLayout, Document, Offset, PrintRequest, Selection};
use ddesk_core::queries::{self, OfficialQuery};
use ddesk_core::store::backup;
use ddesk_core::store::history::Output;
use ddesk_core::store::Unlock;
use ddesk_core::transport::{self, checkin};
use ddesk_core::words::Text;
use ddesk_core::{checks, demo, generate, registration, store, Error, Store};

/// `println!` for the command's output: a reader that went away (`ddesk officials | head -1`)
/// ends the command quietly (see `main`) instead of a panic with a backtrace.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*).map_err(Error::from)?
    }};
}

#[derive(Parser)]
#[command(name = "ddesk", version, about = "Delegation Desk on the command line")]
struct Cli {
    /// The event library file (default: the app's own library in the OS app-data folder).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Unlock the encrypted library with the passphrase on this file's first line (and protect
    /// a new library with it). Without it, DDESK_PASSPHRASE; without that, the key in the
    /// computer's credential store.
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the demo events, or reset them to their original state; with --remove, take
    /// them out of the library.
    #[command(after_help = "Example: ddesk demo --remove")]
    Demo {
        /// Remove the demo events instead (with everything in them, after a backup).
        #[arg(long)]
        remove: bool,
    },
    /// List events: id, English name, Korean name, start date, end date (tab-separated).
    #[command(after_help = "Example: ddesk events")]
    Events,
    /// List an event's officials: id, passport name, native-script name, badge name,
    /// delegation, category, status (tab-separated).
    #[command(after_help = "Example: ddesk officials --event 0193a5c2 | grep -i nguyen")]
    Officials {
        #[arg(long, value_name = "ID")]
        event: String,
        /// Category and status as the codes scripts match on (head_of_delegation, confirmed)
        /// instead of the words exports use (Head of delegation, Confirmed).
        #[arg(long)]
        codes: bool,
        /// The words in Korean.
        #[arg(long, default_value = "en", value_parser = parse_language)]
        lang: Language,
    },
    /// List an event's delegations: id, English name, Korean name, status, seats
    /// (tab-separated).
    #[command(after_help = "Example: ddesk delegations --event 0193a5c2")]
    Delegations {
        #[arg(long, value_name = "ID")]
        event: String,
    },
    /// List an event's agenda by time: id, start (the event's local time), kind, English
    /// title, who attends in words with the head-count, head-count, end (local time), room
    /// or place (tab-separated).
    #[command(after_help = "Example: ddesk sessions --event 0193a5c2")]
    Sessions {
        #[arg(long, value_name = "ID")]
        event: String,
        /// The words in Korean.
        #[arg(long, default_value = "en", value_parser = parse_language)]
        lang: Language,
    },
    /// List who is on a session's roster as its audience makes it: official id, passport
    /// name, delegation, role, and "rule" (in by the audience) or "exception" (put on by
    /// hand, as every member of a list is), by name (tab-separated).
    #[command(after_help = "Example: ddesk roster --session 7f3e21aa | cut -f2")]
    Roster {
        #[arg(long, value_name = "ID")]
        session: String,
        /// The role as the code scripts match on (speaker) instead of its word (Speaker).
        #[arg(long)]
        codes: bool,
        /// The words in Korean.
        #[arg(long, default_value = "en", value_parser = parse_language)]
        lang: Language,
    },
    /// Registration workbooks to send to delegations (XLSX: instructions, one row per seat,
    /// drop-down lists, the officials registered so far): for one delegation into the file
    /// OUT, or for every delegation into the folder OUT. A returned workbook imports into its
    /// delegation with `ddesk import`.
    #[command(
        name = "registration-form",
        after_help = "Example: ddesk registration-form --event 0193a5c2 --all --lang ko -o forms/"
    )]
    RegistrationForm {
        #[arg(long, value_name = "ID")]
        event: String,
        #[arg(long, value_name = "ID", group = "which")]
        delegation: Option<String>,
        #[arg(long, group = "which")]
        all: bool,
        /// The form's language.
        #[arg(long, default_value = "en", value_parser = parse_language)]
        lang: Language,
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: PathBuf,
        /// Replace files that exist.
        #[arg(long)]
        force: bool,
    },
    /// Check the library file: full integrity check, foreign keys, record counts.
    #[command(after_help = "Example: ddesk doctor")]
    Doctor,
    /// Write a consistent copy of the library to FILE (refuses an existing FILE without --force).
    #[command(after_help = "Example: ddesk backup -o ~/forum-2024-backup.sqlite3")]
    Backup {
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Replace the library with a backup, after backing up the library as it is. Close the app
    /// first.
    #[command(
        after_help = "Example: ddesk restore ~/.local/share/org.delegationdesk.app/backups/2026-11-25T10-31-07Z-daily.sqlite3"
    )]
    Restore {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Change the library's passphrase: unlocked as usual (the old passphrase, or the
    /// credential store), then kept under the new one, read from --new-passphrase-file, else
    /// DDESK_NEW_PASSPHRASE, else one line of standard input. The key itself stays, so every
    /// backup still opens.
    #[command(after_help = "Example: DDESK_PASSPHRASE=old DDESK_NEW_PASSPHRASE=new ddesk rekey")]
    Rekey {
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Open the library with the recovery code printed at set-up, and keep its key anew: under
    /// the passphrase given as usual (DDESK_PASSPHRASE or --passphrase-file), or without one in
    /// the computer's credential store.
    #[command(after_help = "Example: DDESK_PASSPHRASE=new ddesk recover --code 7K2M-…")]
    Recover {
        #[arg(long, value_name = "CODE")]
        code: String,
    },
    /// List the library's automatic backups, newest first: created (UTC), size in bytes,
    /// reason, path (tab-separated).
    #[command(after_help = "Example: ddesk backups | head -3")]
    Backups,
    /// Generate a large made-up event (same seed, same event) for scale tests and benchmarks.
    #[command(
        after_help = "Example: ddesk --db /tmp/scale.sqlite3 generate --officials 20000 --seed 1"
    )]
    Generate {
        #[arg(long, default_value_t = 20_000)]
        officials: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Import officials (with flights and hotel stays) from an XLSX/XLS/ODS workbook or a
    /// CSV/TSV file. Prints the preview (columns, per-row status and messages, a summary);
    /// writes nothing if any row has an error, unless --skip-errors.
    #[command(
        after_help = "Example: ddesk import 명단.xlsx --event 0193a5c2 --map 'hotel:Orakai Hotel=Orakai Insadong Suites' --dry-run"
    )]
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
        /// Read a cell value as another, for the whole file: `hotel:Orakai Hotel=Orakai
        /// Insadong Suites`; `hotel:Lotte=` means no hotel of the event. FIELD is a field name
        /// as the `column` lines print it. Repeatable; remembered for the event's next files.
        #[arg(long = "map", value_name = "FIELD:FROM=TO")]
        map: Vec<String>,
    },
    /// Print a document to PDF: badges, participants, precedence (the participants in the order
    /// of precedence), signin (a session's sign-in sheet),
    /// delegation (lists per delegation), rooming (per hotel), arrivals, departures, dispatch
    /// (a sheet per driver), namesigns (arrival-hall signs), transport (the plan per day),
    /// seating (a session's seating chart), tables (its table lists), placecards (tent cards).
    /// Prints the file and its page count.
    #[command(
        after_help = "Example: ddesk print badges --event 0193a5c2 --layout a4-8 --not-printed -o badges.pdf"
    )]
    Print(PrintArgs),
    /// The event's order of precedence: position, official id, name, rank, delegation
    /// (tab-separated), by protocol rank, then the order of delegations, then the officer's
    /// moves. Cancelled officials are not in it.
    #[command(after_help = "Example: ddesk precedence --event 0193a5c2")]
    Precedence {
        #[arg(long, value_name = "ID")]
        event: String,
    },
    /// Seating plans: `seating propose` seats a session's roster by the order of precedence.
    #[command(subcommand)]
    Seating(SeatingCommand),
    /// Transfers: `transport plan` proposes runs for the arrivals that need a pickup (or the
    /// departures, or a session's roster), grouped by airport and time, with vehicles.
    #[command(subcommand)]
    Transport(TransportCommand),
    /// Record one badge scan (the code a badge's QR holds, or a name) at a session, a
    /// transfer run or the event's door, and print the outcome: checked-in, already,
    /// not-on-roster, cancelled, unknown or other-event, then the name, delegation, time and
    /// the count checked in of expected (tab-separated). Exit 0 for checked-in and already,
    /// 1 otherwise.
    #[command(
        group(clap::ArgGroup::new("target").required(true).args(["session", "run", "event_entry"])),
        after_help = "Example: ddesk checkin --event 0193a5c2 --session 7f3e21aa 0193a5c2-7b1e-…"
    )]
    Checkin {
        #[arg(long, value_name = "ID")]
        event: String,
        #[arg(long, value_name = "ID")]
        session: Option<String>,
        #[arg(long, value_name = "ID")]
        run: Option<String>,
        /// Check in at the event itself (the registration desk).
        #[arg(long)]
        event_entry: bool,
        /// What the badge's QR code holds, or a name that names one official.
        code: String,
    },
    /// Itineraries (PDF in each official's language, or iCalendar): for one official into the
    /// file OUT; for a delegation (one file per member and a combined file) or everyone (one
    /// file per official, named "Country - FAMILY Given") into the folder OUT.
    #[command(
        after_help = "Example: ddesk itinerary --event 0193a5c2 --delegation 0193a5c3 --format pdf -o itineraries/"
    )]
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
    /// every hotel), roster (of --session), arrivals, departures, diets, meals (each meal's
    /// head-count and needs, for the caterer), letters (the register of letters and
    /// certificates); or all (every table in
    /// one XLSX workbook, the roster included when --session is given).
    #[command(
        after_help = "Example: ddesk export officials --event 0193a5c2 --format csv -o - | head"
    )]
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
        /// Passport numbers in full (the hotel's police register); masked otherwise (M12****78).
        #[arg(long)]
        full_passport: bool,
        /// Write the export into a ZIP encrypted with AES-256 under the password on this file's
        /// first line (or in DDESK_ZIP_PASSWORD): how full passport numbers should travel.
        #[arg(long, value_name = "FILE")]
        zip_password_file: Option<PathBuf>,
        /// The file to write; - writes it to standard output.
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: PathBuf,
        /// Replace OUT if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Find logistics problems in an event: one per line (severity, code, sentence), worst first.
    #[command(after_help = "Example: ddesk check --event 0193a5c2 || echo errors to fix")]
    Check {
        #[arg(long, value_name = "ID")]
        event: String,
        /// Print the problems as JSON instead.
        #[arg(long)]
        json: bool,
    },
    /// Print an event's change log and outputs, oldest first: when (UTC), who, action, record
    /// type, record id, what it is called, the fields changed, and "undone" for a change taken
    /// back (tab-separated). With --json, every entry with its before and after images, so
    /// that what the log still holds can be checked.
    #[command(after_help = "Example: ddesk history --event 0193a5c2 | grep official")]
    History {
        #[arg(long, value_name = "ID")]
        event: String,
        /// Print the entries as JSON instead, images included.
        #[arg(long)]
        json: bool,
    },
    /// Purge the event's personal data once its purpose is met: passport numbers and expiry,
    /// birth dates, e-mail and phone, diets, accessibility needs, notes and flights go, from the
    /// library, its change log and its backups; names, positions, organizations, countries,
    /// categories and attendance stay. Prints, per field, how many officials held a value
    /// (FIELD COUNT), then flights, log entries and the backups purged or removed.
    #[command(after_help = "Example: ddesk purge --event 0193a5c2 --dry-run")]
    Purge {
        #[arg(long, value_name = "ID")]
        event: String,
        /// Say what would go, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Confirm the purge (it cannot be undone).
        #[arg(long)]
        yes: bool,
    },
    /// One record as JSON: get it, save it (validated and logged exactly as the window's save;
    /// a new record when the JSON has no id), or delete it. KIND is the record type: event,
    /// delegation, official, travel, hotel, room_block, stay, venue, venue_room, session,
    /// participant, vehicle, transfer_run, run_passenger, event_entry.
    #[command(subcommand)]
    Record(RecordCommand),
    /// Team sync: share an event with a team, write this laptop's bundle of changes (.ddsync),
    /// receive another's, see where the team stands and what merges overwrote.
    #[command(subcommand)]
    Sync(SyncCommand),
    /// Letters and certificates on the office's letterhead, each numbered in the register of
    /// outgoing documents: visa invitation letters and certificates of participation per
    /// official, invitations and letters of thanks per delegation; the register; the
    /// letterhead and the templates' words.
    #[command(subcommand)]
    Letter(LetterCommand),
}

#[derive(Subcommand)]
enum LetterCommand {
    /// A visa invitation letter per official (passport name and number, nationality, date of
    /// birth, the event), for the embassy.
    #[command(
        after_help = "Example: ddesk letter visa --event 0193a5c2 --all --format pdf -o visa/"
    )]
    Visa(LetterArgs),
    /// An invitation per delegation, to its ministry or organization and its head.
    #[command(
        after_help = "Example: ddesk letter invitation --event 0193a5c2 --all --lang ko --format docx -o invitations/"
    )]
    Invitation(LetterArgs),
    /// A certificate of participation per official who attended at least --min-attendance per
    /// cent of their sessions (others are skipped, with the share they reached).
    #[command(
        after_help = "Example: ddesk letter certificate --event 0193a5c2 --all --format pdf -o certificates.pdf"
    )]
    Certificate(LetterArgs),
    /// A letter of thanks per delegation that came.
    #[command(
        after_help = "Example: ddesk letter thanks --event 0193a5c2 --all --format eml -o drafts/"
    )]
    Thanks(LetterArgs),
    /// The event's register of outgoing documents: number, kind, recipient, language,
    /// format, first written, last written, times written, officer (tab-separated).
    #[command(after_help = "Example: ddesk letter register --event 0193a5c2")]
    Register {
        #[arg(long, value_name = "ID")]
        event: String,
    },
    /// Show the office's letterhead (FIELD<TAB>VALUE), after setting fields with --set and
    /// the logo or seal (PNG, JPEG or SVG) with --logo / --seal.
    #[command(
        after_help = "Example: ddesk letter letterhead --set office_en='International Cooperation Division' --logo logo.svg"
    )]
    Letterhead {
        /// FIELD=VALUE; FIELD is one of office_en, office_ko, address_en, address_ko, phone,
        /// email, signatory_en, signatory_ko, title_en, title_ko, prefix. Repeatable.
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        #[arg(long, value_name = "FILE")]
        logo: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        seal: Option<PathBuf>,
    },
    /// Print a template's words as JSON (subject, recipient, body, closing, email), or save
    /// them from a JSON file (- for standard input) with --from, or go back to the default
    /// words with --reset.
    #[command(
        after_help = "Example: ddesk letter template visa --lang ko > visa-ko.json; ddesk letter template visa --lang ko --from visa-ko.json"
    )]
    Template {
        #[arg(value_parser = parse_letter_kind)]
        kind: LetterKind,
        #[arg(long, default_value = "en", value_parser = parse_language)]
        lang: Language,
        #[arg(long, value_name = "FILE", conflicts_with = "reset")]
        from: Option<String>,
        #[arg(long)]
        reset: bool,
    },
}

#[derive(clap::Args)]
struct LetterArgs {
    #[arg(long, value_name = "ID")]
    event: String,
    #[arg(long, value_name = "ID", group = "who")]
    official: Option<String>,
    /// A delegation: its letter, or a letter to each of its members.
    #[arg(long, value_name = "ID", group = "who")]
    delegation: Option<String>,
    #[arg(long, group = "who")]
    all: bool,
    #[arg(long, default_value = "pdf", value_parser = parse_letter_format)]
    format: LetterFormat,
    /// Every letter in this language (default: each official's own; a delegation's head's).
    #[arg(long, value_parser = parse_language)]
    lang: Option<Language>,
    /// Certificates: the share of their sessions an official must have attended, in per cent.
    #[arg(long, value_name = "PCT", default_value_t = letters::DEFAULT_MIN_ATTENDANCE,
          value_parser = clap::value_parser!(u8).range(0..=100))]
    min_attendance: u8,
    /// E-mail drafts: attach the itinerary (PDF and calendar) too.
    #[arg(long)]
    attach_itinerary: bool,
    /// One file for one recipient; a folder for several (one file each), or, for PDF, a file
    /// ending in .pdf to hold them all.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: PathBuf,
    /// Replace files already there.
    #[arg(long)]
    force: bool,
}

#[derive(Subcommand)]
enum RecordCommand {
    /// Print one record as JSON.
    #[command(after_help = "Example: ddesk record get official 0193a5c2")]
    Get { kind: String, id: String },
    /// Save one record from the JSON in FILE (or standard input with -); prints it as saved.
    #[command(
        after_help = "Example: ddesk record get official 0193a5c2 > o.json; ddesk record put official o.json"
    )]
    Put { kind: String, file: String },
    /// Delete one record and what it takes along (its flights, stays and roster entries…).
    #[command(after_help = "Example: ddesk record delete official 0193a5c2 --yes")]
    Delete {
        kind: String,
        id: String,
        /// Confirm the delete.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
enum SyncCommand {
    /// Share an event with a team; prints the team and, alone on the last line, the team key
    /// that the others need to join.
    #[command(after_help = "Example: ddesk sync share --event 0193a5c2")]
    Share {
        #[arg(long, value_name = "ID")]
        event: String,
    },
    /// Write a bundle of every change this laptop holds of the event, sealed with the team key.
    #[command(after_help = "Example: ddesk sync export --event 0193a5c2 -o kim.ddsync")]
    Export {
        #[arg(long, value_name = "ID")]
        event: String,
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// Receive a bundle: the changes it holds that this laptop lacks are merged, after a
    /// backup. The team key is needed only to join (an event this laptop does not share yet).
    #[command(after_help = "Example: ddesk sync import lee.ddsync --team-key 7KQ2M-...")]
    Import {
        file: PathBuf,
        #[arg(long, value_name = "KEY")]
        team_key: Option<String>,
    },
    /// Where the event stands with its team: shared, team, this laptop, the last change known
    /// from each laptop, changes held, conflicts open (tab-separated).
    #[command(after_help = "Example: ddesk sync status --event 0193a5c2")]
    Status {
        #[arg(long, value_name = "ID")]
        event: String,
    },
    /// What merges overwrote or took away: id, kind, record type, record id, field, value
    /// kept, value lost, who made the lost one, "reversed" (tab-separated), newest first.
    #[command(after_help = "Example: ddesk sync conflicts --event 0193a5c2 --json")]
    Conflicts {
        #[arg(long, value_name = "ID")]
        event: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum SeatingCommand {
    /// Propose a seating plan for the session's roster: one line per seat — table (the head
    /// table is 1, rows count from the front), seat, official id, name (tab-separated).
    /// Interpreters sit beside their officials; round tables spread the delegations.
    #[command(
        after_help = "Example: ddesk seating propose --event 0193a5c2 --session 7f3e21aa --layout rounds --seats 10 --apply"
    )]
    Propose {
        #[arg(long, value_name = "ID")]
        event: String,
        #[arg(long, value_name = "ID")]
        session: String,
        /// head-table (one line, the host in the middle), rows, or rounds; the session's own
        /// layout unless given (rows for a session without one).
        #[arg(long, value_parser = parse_seating)]
        layout: Option<ddesk_core::model::Seating>,
        /// Seats at a round table or in a row, or the head table's length (everyone unless
        /// given); the session's own, else 10 for rows and tables.
        #[arg(long, value_name = "N")]
        seats: Option<usize>,
        /// Save the plan as the session's (one undo takes it back).
        #[arg(long)]
        apply: bool,
    },
}

fn parse_seating(text: &str) -> Result<ddesk_core::model::Seating, String> {
    use ddesk_core::model::Seating;
    match text {
        "head-table" | "head_table" => Ok(Seating::HeadTable),
        "rows" => Ok(Seating::Rows),
        "rounds" => Ok(Seating::Rounds),
        _ => Err("expected head-table, rows or rounds".into()),
    }
}

#[derive(Subcommand)]
enum TransportCommand {
    /// Propose runs: one line per run — run (its number, or its id once saved), leaving time
    /// (the event's local time), airport, vehicle (- for none), the passengers' official ids
    /// (comma-separated) and names (tab-separated). Runs already planned keep their people and
    /// vehicles.
    #[command(
        after_help = "Example: ddesk transport plan --event 0193a5c2 --window-minutes 60 --apply"
    )]
    Plan {
        #[arg(long, value_name = "ID")]
        event: String,
        /// Arrivals landing within this many minutes of a run's first share it.
        #[arg(long, default_value_t = 45)]
        window_minutes: i64,
        /// Save the proposed runs (one undo takes them back).
        #[arg(long)]
        apply: bool,
        /// Plan drop-offs for the departures instead of pickups.
        #[arg(long, conflicts_with = "session")]
        departures: bool,
        /// Plan the rides to this session for its roster instead.
        #[arg(long, value_name = "ID")]
        session: Option<String>,
        /// Heads of delegation and VIPs ride alone.
        #[arg(long)]
        alone: bool,
        /// Drop-offs leave the hotel this many minutes before the flight.
        #[arg(long, default_value_t = 180)]
        lead_minutes: i64,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PrintKind {
    Badges,
    Participants,
    Precedence,
    Signin,
    Delegation,
    Rooming,
    Arrivals,
    Departures,
    Dispatch,
    Namesigns,
    Transport,
    Seating,
    Tables,
    Placecards,
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
    /// seating: draw the room on A3 (A4 unless given).
    #[arg(long)]
    a3: bool,
    /// dispatch, namesigns, transport: only this day (YYYY-MM-DD, the event's local date).
    #[arg(long, value_name = "DATE")]
    day: Option<chrono::NaiveDate>,
    /// Labels, event and delegation names in English (en) or Korean (ko).
    #[arg(long, default_value = "en", value_parser = parse_language)]
    lang: Language,
    /// Column headers in English and Korean.
    #[arg(long)]
    bilingual: bool,
    /// Passport numbers in full where the document shows them (the rooming list, for the
    /// hotel's register of foreign guests); masked otherwise.
    #[arg(long)]
    full_passport: bool,
    /// The PDF to write; - writes it to standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT.pdf")]
    output: PathBuf,
    /// Replace OUT.pdf if it exists.
    #[arg(long)]
    force: bool,
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
        "one of officials, delegations, rooming, roster, arrivals, departures, diets, meals, all".into()
    })
}

fn parse_export_format(text: &str) -> Result<ExportFormat, String> {
    ExportFormat::parse(text).ok_or_else(|| "csv or xlsx".into())
}

fn parse_itinerary_format(text: &str) -> Result<ItineraryFormat, String> {
    ItineraryFormat::parse(text).ok_or_else(|| "pdf or ics".into())
}

fn parse_letter_kind(text: &str) -> Result<LetterKind, String> {
    LetterKind::parse(text).ok_or_else(|| "visa, invitation, certificate or thanks".into())
}

fn parse_letter_format(text: &str) -> Result<LetterFormat, String> {
    LetterFormat::parse(text).ok_or_else(|| "pdf, docx or eml".into())
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

/// Writes a command's file where `-o` says: `-` is standard output; an existing file is
/// replaced only with `--force`; a link is written through, never replaced, and a terminal or
/// pipe (`/dev/stdout`) is written into (`files::write_aside`). True when it went to stdout.
fn write_output(output: &Path, bytes: &[u8], force: bool) -> Result<bool, Error> {
    if output == Path::new("-") {
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(bytes)?;
        stdout.flush()?;
        return Ok(true);
    }
    if !force && std::fs::metadata(output).is_ok_and(|m| m.is_file()) {
        return Err(Error::field(
            "output",
            "file_exists",
            Text::new("cli-file_exists").with("file", output.display().to_string()),
        ));
    }
    ddesk_core::files::write_aside(output, bytes)?;
    Ok(false)
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
        PrintKind::Precedence => Document::Precedence,
        PrintKind::Signin => Document::SignIn {
            session_id: args.session.clone().ok_or_else(|| {
                Error::field("session", "required", Text::new("cli-signin_session"))
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
        PrintKind::Dispatch => Document::Dispatch { day: args.day },
        PrintKind::Namesigns => Document::NameSigns { day: args.day },
        PrintKind::Transport => Document::Transport { day: args.day },
        PrintKind::Seating | PrintKind::Tables | PrintKind::Placecards => {
            let session_id = args.session.clone().ok_or_else(|| {
                Error::field("session", "required", Text::new("cli-seating_session"))
            })?;
            match args.what {
                PrintKind::Seating => Document::Seating {
                    session_id,
                    a3: args.a3,
                },
                PrintKind::Tables => Document::Tables { session_id },
                _ => Document::PlaceCards { session_id },
            }
        }
    };
    if let Some(offset) = args.offset {
        print::set_offset(store, args.layout, offset)?;
    }
    let request = PrintRequest {
        language: args.lang,
        bilingual: args.bilingual,
        full_passport: args.full_passport,
        ..PrintRequest::new(&args.event, document)
    };
    print::print_once();
    let typeset = print::typeset(store, &request, &|_, _| {})?;
    let badges = matches!(request.document, Document::Badges { .. });
    if badges && !args.reprint {
        print::refuse_reprint(store, &typeset.badge_ids)?;
    }
    // Names too long to read on their badge: said before the paper is used (stderr, so that
    // the PDF on stdout stays whole).
    for small in &typeset.small_names {
        let o: ddesk_core::model::Official = store.get(&small.official_id)?;
        eprintln!(
            "warning: {}'s name prints at {} pt on the badge (the layout's smallest readable size is {} pt); shorten the name on the badge.",
            clean(&o.full_name()),
            small.size_pt,
            small.min_pt
        );
    }
    let to_stdout = print::save_recorded(store, &request, &typeset, |pdf| {
        write_output(&args.output, pdf, args.force)
    })?;
    if to_stdout {
        // The PDF is the output; its page count goes beside it.
        eprintln!("{} pages", typeset.pages());
    } else {
        out!("{}\t{}", args.output.display(), typeset.pages());
    }
    // The process ends here: its pages are left to the exit to free, as typst's memo is
    // (`print_once`); walking and freeing 124 pages of frames took a twentieth of the run.
    std::mem::forget(typeset);
    Ok(())
}

fn library_path(cli: &Cli) -> Result<PathBuf, Error> {
    match &cli.db {
        Some(path) => Ok(path.clone()),
        None => store::default_library_path(),
    }
}

/// Says once, on stderr, what opening the library did that the officer must know: a new
/// key's recovery code, a plaintext library encrypted.
fn tell(notice: Option<store::OpenNotice>) {
    let Some(notice) = notice else { return };
    if let Some(converted) = &notice.converted {
        eprintln!(
            "ddesk: the library was plain and is now encrypted; {} of its backups were encrypted \
             too, {} unreadable ones removed.",
            converted.backups_encrypted, converted.backups_removed
        );
    }
    if let Some(code) = &notice.recovery_code {
        eprintln!(
            "ddesk: the library is encrypted. Its recovery code opens it if the passphrase or \
             this computer's credential store is lost; print it and keep it apart from the \
             laptop. It is shown only now:\nrecovery_code\t{code}"
        );
    }
}

/// The new passphrase of `rekey`: from the file named, else DDESK_NEW_PASSPHRASE, else one
/// line of standard input.
fn new_passphrase(file: Option<&std::path::Path>) -> Result<zeroize::Zeroizing<String>, Error> {
    use zeroize::Zeroizing;
    if let Some(file) = file {
        return store::key::first_line(file);
    }
    if let Ok(text) = std::env::var("DDESK_NEW_PASSPHRASE") {
        return Ok(Zeroizing::new(text));
    }
    let mut line = Zeroizing::new(String::new());
    std::io::stdin().read_line(&mut line)?;
    Ok(Zeroizing::new(
        line.trim_end_matches(['\r', '\n']).to_string(),
    ))
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    let path = library_path(&cli)?;
    let how = Unlock::from_environment(cli.passphrase_file.as_deref())?;
    // These work on files, not on an open library: restore must replace the file while
    // nothing has it open, listing needs no more than the folder, and recovery opens the
    // library with a key of its own.
    match &cli.command {
        Command::Restore { file } => {
            let (key, code) = store::key::for_library(&path, &how)?;
            tell(Some(store::OpenNotice {
                recovery_code: code,
                converted: None,
            }));
            let report = backup::restore(&path, file, &key)?;
            out!("restored\t{}", file.display());
            if let Some(safety) = report.safety_backup {
                out!("safety_backup\t{}", safety.path.display());
            }
            if let Some(aside) = report.set_aside {
                out!("set_aside\t{}", aside.display());
            }
            return Ok(ExitCode::SUCCESS);
        }
        Command::Backups => {
            for b in backup::list_backups(&path)? {
                out!(
                    "{}\t{}\t{}\t{}",
                    b.created_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    b.size_bytes,
                    b.reason,
                    b.path.display()
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        Command::Recover { code } => {
            let opened = Store::open(
                &path,
                &Unlock::RecoveryCode(zeroize::Zeroizing::new(code.clone())),
            )?;
            match &how {
                Unlock::Passphrase(new) => {
                    store::key::set_passphrase(&path, opened.key(), new)?;
                    out!("recovered\t{}\tpassphrase", path.display());
                }
                _ => {
                    store::key::store_in_keyring(&path, opened.key())?;
                    out!("recovered\t{}\tkeyring", path.display());
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    if matches!(
        cli.command,
        Command::Print(_) | Command::Itinerary { .. } | Command::Letter(_)
    ) {
        // The fonts are read on the other core while the library is unlocked (Argon2id).
        print::warm_fonts();
    }
    let store = Store::open(&path, &how)?;
    tell(store.take_notice());
    if let Some(warning) = ddesk_core::files::network_warning(&path) {
        eprintln!("ddesk: warning: {warning}");
    }
    // Ids may be given whole or by a unique beginning of 8 or more characters.
    let id = |table: &'static str, given: &str| resolve(&store, table, given);
    let some_id = |table: &'static str, given: Option<String>| resolve_some(&store, table, given);
    match cli.command {
        Command::Demo { remove: true } => {
            let n = demo::remove(&store)?;
            out!("removed\t{n}");
        }
        Command::Demo { remove: false } => {
            for event in demo::reset(&store)? {
                out!("{}\t{}", event.id, event.name_en);
            }
        }
        Command::Events => {
            for e in store.read(queries::events)? {
                let e = e.event;
                out!(
                    "{}\t{}\t{}\t{}\t{}",
                    e.id,
                    e.name_en,
                    e.name_ko,
                    e.start_date,
                    e.end_date
                );
            }
        }
        Command::Officials { event, codes, lang } => {
            let event = id("event", &event)?;
            let ko = lang == Language::Ko;
            let word = |code: &'static str| {
                if codes {
                    code.to_string()
                } else {
                    export::word(code, ko)
                }
            };
            let page = store.read(|c| queries::officials(c, &event, &OfficialQuery::default()))?;
            for row in page.rows {
                let o = &row.official;
                out!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    o.id,
                    row.full_name,
                    o.native_name,
                    o.badge_name,
                    row.delegation_name_en,
                    word(o.category.as_str()),
                    word(o.status.as_str())
                );
            }
        }
        Command::Delegations { event } => {
            let event = id("event", &event)?;
            let rows = store.read(|c| queries::delegations(c, &event))?;
            for row in rows {
                let d = &row.delegation;
                out!(
                    "{}\t{}\t{}\t{}\t{}",
                    d.id,
                    row.display_name_en,
                    row.display_name_ko,
                    d.status.as_str(),
                    d.seats
                );
            }
        }
        Command::Sessions { event, lang } => {
            let event = id("event", &event)?;
            let (rows, tz) = store.read(|c| {
                let tz = ddesk_core::model::Event::get(c, &event)?.tz();
                Ok((queries::sessions(c, &event)?, tz))
            })?;
            for row in rows {
                let s = &row.session;
                let place = if row.room_name.is_empty() {
                    &s.location
                } else {
                    &row.room_name
                };
                out!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    s.id,
                    s.starts_at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
                    s.kind.as_str(),
                    clean(&s.title_en),
                    row.audience_text.in_lang(lang.as_str()),
                    row.participants,
                    s.ends_at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
                    clean(place)
                );
            }
        }
        Command::Roster {
            session,
            codes,
            lang,
        } => {
            let session = id("session", &session)?;
            let ko = lang == Language::Ko;
            let page = store.read(|c| queries::roster(c, &session, &Default::default()))?;
            for row in page.rows {
                let p = &row.participant;
                let delegation = if ko && !row.person.delegation_name_ko.is_empty() {
                    &row.person.delegation_name_ko
                } else {
                    &row.person.delegation_name_en
                };
                out!(
                    "{}\t{}\t{}\t{}\t{}",
                    p.official_id,
                    row.person.full_name,
                    delegation,
                    if codes {
                        p.role.as_str().to_string()
                    } else {
                        export::word(p.role.as_str(), ko)
                    },
                    if p.membership == Membership::Rule {
                        "rule"
                    } else {
                        "exception"
                    }
                );
            }
        }
        Command::RegistrationForm {
            event,
            delegation,
            all,
            lang,
            output,
            force,
        } => {
            let event = id("event", &event)?;
            match (some_id("delegation", delegation)?, all) {
                (Some(delegation), _) => {
                    let d: Delegation = store.get(&delegation)?;
                    if d.event_id != event {
                        return Err(Error::NotFound {
                            entity: "delegation",
                        });
                    }
                    let bytes = registration::registration_form(&store, &d.id, lang)?;
                    let to_stdout = write_output(&output, &bytes, force)?;
                    store.record_output(
                        &event,
                        Output::Form,
                        &format!("{}.xlsx", registration::file_stem(&d, lang)),
                    )?;
                    if !to_stdout {
                        out!("{}", output.display());
                    }
                }
                (None, false) => {
                    return Err(Error::field(
                        "scope",
                        "required",
                        Text::new("cli-forms_scope"),
                    ))
                }
                (None, true) => {
                    if output == Path::new("-") {
                        return Err(Error::field(
                            "output",
                            "invalid_value",
                            Text::new("cli-forms_folder"),
                        ));
                    }
                    let files = registration::registration_forms(&store, &event, lang)?;
                    let named: Vec<(&str, &[u8])> = files
                        .iter()
                        .map(|(n, b)| (n.as_str(), b.as_slice()))
                        .collect();
                    let n = ddesk_core::files::write_folder(&output, &named, force)?;
                    store.record_output(
                        &event,
                        Output::Form,
                        &ddesk_core::text::counted(n as i64, "registration form", None),
                    )?;
                    out!("{n} files in {}", output.display());
                }
            }
        }
        Command::Print(mut args) => {
            args.event = id("event", &args.event)?;
            args.session = some_id("session", args.session)?;
            args.hotel = some_id("hotel", args.hotel)?;
            args.delegation = some_id("delegation", args.delegation)?;
            args.officials = args
                .officials
                .iter()
                .map(|o| id("official", o))
                .collect::<Result<_, _>>()?;
            print_document(&store, args)?
        }
        Command::Precedence { event } => {
            let event = id("event", &event)?;
            for p in store.read(|c| ddesk_core::protocol::precedence(c, &event))? {
                let delegation = if p.delegation_en.is_empty() {
                    "-".to_string()
                } else {
                    clean(&p.delegation_en)
                };
                out!(
                    "{}\t{}\t{}\t{}\t{}",
                    p.position,
                    p.official_id,
                    clean(&p.name),
                    if p.rank.is_empty() { "-" } else { &p.rank },
                    delegation
                );
            }
        }
        Command::Seating(SeatingCommand::Propose {
            event,
            session,
            layout,
            seats,
            apply,
        }) => {
            use ddesk_core::model::{Official, Seating, Session};
            use ddesk_core::protocol::seating;
            let event = id("event", &event)?;
            let session = id("session", &session)?;
            let (s, names) = store.read(|c| {
                let s = Session::get(c, &session)?;
                let names: std::collections::HashMap<String, String> =
                    Official::of_event(c, &event)?
                        .into_iter()
                        .map(|o| (o.id.clone(), o.full_name()))
                        .collect();
                Ok((s, names))
            })?;
            if s.event_id != event {
                return Err(Error::NotFound { entity: "session" });
            }
            let layout = layout.unwrap_or(match s.seating {
                Seating::None => Seating::Rows,
                own => own,
            });
            let seats = seats.unwrap_or(if layout == s.seating {
                s.seats_per_table.max(0) as usize
            } else {
                0
            });
            let proposed = store.read(|c| seating::proposal(c, &session, layout, seats))?;
            if apply {
                store.write(|tx| seating::apply(tx, &session, layout, seats, &proposed))?;
            }
            for p in &proposed {
                out!(
                    "{}\t{}\t{}\t{}",
                    p.table,
                    p.seat,
                    p.official_id,
                    clean(names.get(&p.official_id).map(String::as_str).unwrap_or(""))
                );
            }
        }
        Command::Transport(TransportCommand::Plan {
            event,
            window_minutes,
            apply,
            departures,
            session,
            alone,
            lead_minutes,
        }) => {
            let event = id("event", &event)?;
            let what = match some_id("session", session)? {
                Some(session_id) => transport::plan::What::Session { session_id },
                None if departures => transport::plan::What::Departures,
                None => transport::plan::What::Pickups,
            };
            let request = transport::plan::Request {
                what,
                window_minutes,
                alone,
                lead_minutes,
            };
            let (proposed, tz, people) = store.read(|c| {
                Ok((
                    transport::plan::plan(c, &event, &request)?,
                    ddesk_core::model::Event::get(c, &event)?.tz(),
                    transport::people(c, &event)?,
                ))
            })?;
            let saved = if apply {
                store.write(|tx| transport::plan::apply(tx, &event, &proposed))?
            } else {
                Vec::new()
            };
            for (i, p) in proposed.iter().enumerate() {
                let run = saved
                    .get(i)
                    .map(|r| r.id.clone())
                    .unwrap_or_else(|| (i + 1).to_string());
                let ids: Vec<&str> = p.legs.iter().map(|l| l.official_id.as_str()).collect();
                let names: Vec<String> = p
                    .legs
                    .iter()
                    .map(|l| {
                        people
                            .get(&l.official_id)
                            .map(|o| clean(&o.name))
                            .unwrap_or_default()
                    })
                    .collect();
                out!(
                    "{run}\t{}\t{}\t{}\t{}\t{}",
                    p.leaves_at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
                    if p.airport.is_empty() {
                        "-"
                    } else {
                        &p.airport
                    },
                    if p.vehicle.is_empty() {
                        "-".to_string()
                    } else {
                        clean(&p.vehicle)
                    },
                    ids.join(","),
                    names.join("; ")
                );
            }
        }
        Command::Checkin {
            event,
            session,
            run,
            event_entry: _,
            code,
        } => {
            let event = id("event", &event)?;
            let target = match (some_id("session", session)?, some_id("transfer_run", run)?) {
                (Some(s), _) => checkin::Target::Session(s),
                (None, Some(r)) => checkin::Target::Run(r),
                (None, None) => checkin::Target::Event,
            };
            let scan = store.write(|tx| checkin::scan(tx, &event, &target, &code))?;
            let tz = store.read(|c| Ok(ddesk_core::model::Event::get(c, &event)?.tz()))?;
            out!(
                "{}\t{}\t{}\t{}\t{}/{}",
                scan.outcome.as_str(),
                clean(&scan.name),
                clean(&scan.delegation),
                scan.at
                    .map(|at| at.with_timezone(&tz).format("%H:%M").to_string())
                    .unwrap_or_default(),
                scan.counts.checked,
                scan.counts.expected
            );
            if !scan.outcome.admitted() {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Itinerary {
            event,
            official,
            delegation,
            all,
            format,
            output,
            force,
        } => {
            let event = id("event", &event)?;
            let (official, delegation) = (
                some_id("official", official)?,
                some_id("delegation", delegation)?,
            );
            let scope = match (official, delegation, all) {
                (Some(id), _, _) => Scope::Official { id },
                (None, Some(id), _) => Scope::Delegation { id },
                (None, None, true) => Scope::All,
                (None, None, false) => {
                    return Err(Error::field(
                        "scope",
                        "required",
                        Text::new("cli-itineraries_scope"),
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
            // Progress for a person at a terminal; a log or a pipe gets none (it ran together
            // on one line there).
            let tty = std::io::stderr().is_terminal();
            let files = itinerary::itineraries(&store, &request, &|done, total| {
                if tty {
                    eprint!("\r{done}/{total} itineraries");
                }
            })?;
            if tty {
                eprintln!();
            }
            if one {
                let file = files
                    .first()
                    .ok_or(Error::NotFound { entity: "official" })?;
                let to_stdout = write_output(&output, &file.bytes, force)?;
                store.record_output(&request.event_id, Output::Itinerary, &file.name)?;
                if !to_stdout {
                    out!("{}", output.display());
                }
            } else {
                if output == Path::new("-") {
                    return Err(Error::field(
                        "output",
                        "invalid_value",
                        Text::new("cli-itineraries_folder"),
                    ));
                }
                let n = itinerary::write_files(&output, &files, force)?;
                store.record_output(
                    &request.event_id,
                    Output::Itinerary,
                    &ddesk_core::text::counted(n as i64, "itinerary", Some("itineraries")),
                )?;
                out!("{n} files in {}", output.display());
            }
        }
        Command::Export {
            what,
            event,
            format,
            hotel,
            session,
            lang,
            full_passport,
            zip_password_file,
            output,
            force,
        } => {
            let event = id("event", &event)?;
            let (hotel, session) = (some_id("hotel", hotel)?, some_id("session", session)?);
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
                full_passport,
            };
            let mut bytes = export::export(&store, &request)?;
            let mut note = export::output_note(&store, &request)?;
            // In an AES-256 ZIP under a password, when one is given (issue 17).
            let password = match &zip_password_file {
                Some(file) => Some(store::key::first_line(file)?),
                None => std::env::var("DDESK_ZIP_PASSWORD")
                    .ok()
                    .map(zeroize::Zeroizing::new),
            };
            if let Some(password) = password {
                let inner = export::file_name(&store, &request)?;
                bytes = export::encrypted_zip(&inner, &bytes, &password)?;
                note.push_str(", in an encrypted ZIP");
            }
            let to_stdout = write_output(&output, &bytes, force)?;
            store.record_output(&request.event_id, Output::Export, &note)?;
            if !to_stdout {
                out!("{}", output.display());
            }
        }
        Command::Check { event, json } => {
            let event = id("event", &event)?;
            let data = store.read_apart(|c| checks::EventData::load(c, &event))?;
            let problems = checks::run_all(&data);
            if json {
                out!("{}", serde_json::to_string_pretty(&problems)?);
            } else {
                for p in &problems {
                    out!("{}\t{}\t{}", p.severity.as_str(), p.code, p.message);
                }
            }
            // Errors make a script stop (exit 1); warnings and notes alone do not.
            let errors = problems
                .iter()
                .filter(|p| p.severity == checks::Severity::Error)
                .count();
            if errors > 0 {
                eprintln!(
                    "ddesk: {} found in the event.",
                    ddesk_core::text::counted(errors as i64, "error", None)
                );
                return Ok(ExitCode::from(1));
            }
        }
        Command::Purge {
            event,
            dry_run,
            yes,
        } => {
            let event = id("event", &event)?;
            let (plan, backups) = if dry_run {
                (store.purge_plan(&event)?, None)
            } else if yes {
                let report = store.purge(&event)?;
                let backups = (report.backups_purged, report.backups_removed);
                (report.plan, Some(backups))
            } else {
                return Err(Error::field(
                    "yes",
                    "required",
                    Text::new("cli-purge_confirm"),
                ));
            };
            for (field, n) in &plan.fields {
                out!("{field}\t{n}");
            }
            out!("flights\t{}", plan.flights);
            out!("log_entries\t{}", plan.log_entries);
            if let Some((purged, removed)) = backups {
                out!("backups_purged\t{purged}");
                out!("backups_removed\t{removed}");
            }
        }
        Command::Record(RecordCommand::Get { kind, id }) => {
            out!(
                "{}",
                serde_json::to_string_pretty(&store.record_get(&kind, &id)?)?
            );
        }
        Command::Record(RecordCommand::Put { kind, file }) => {
            let text = if file == "-" {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)?;
                text
            } else {
                std::fs::read_to_string(&file)?
            };
            let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                Error::field(
                    "json",
                    "invalid_value",
                    Text::new("error-record_json").with("detail", e.to_string()),
                )
            })?;
            out!(
                "{}",
                serde_json::to_string_pretty(&store.record_put(&kind, json)?)?
            );
        }
        Command::Record(RecordCommand::Delete { kind, id, yes }) => {
            if !yes {
                return Err(Error::field(
                    "yes",
                    "required",
                    Text::new("cli-delete_confirm"),
                ));
            }
            store.record_delete(&kind, &id)?;
            out!("deleted\t{kind}");
        }
        Command::Sync(SyncCommand::Share { event }) => {
            let event = id("event", &event)?;
            let shared = store.sync_share(&event)?;
            out!("event\t{}", shared.event_id);
            out!("team\t{}", shared.team);
            out!("laptop\t{}", shared.laptop);
            out!("{}", shared.team_key);
        }
        Command::Sync(SyncCommand::Export { event, output }) => {
            let event = id("event", &event)?;
            let sent = store.sync_export(&event, &output)?;
            out!("{}", output.display());
            out!("changes\t{}", sent.changes);
            out!("rows\t{}", sent.rows);
            out!("laptops\t{}", sent.laptops);
            out!("bytes\t{}", sent.bytes);
        }
        Command::Sync(SyncCommand::Import { file, team_key }) => {
            let got = store.sync_import(&file, team_key.as_deref())?;
            out!("event\t{}", got.event_id);
            out!("from\t{}\t{}", clean(&got.from_officer), got.from_laptop);
            out!("joined\t{}", if got.joined { "yes" } else { "no" });
            out!("changes\t{}", got.changes);
            out!("known\t{}", got.known);
            out!("applied\t{}", got.applied);
            out!("rows\t{}", got.rows);
            out!("conflicts\t{}", got.conflicts);
        }
        Command::Sync(SyncCommand::Status { event }) => {
            let event = id("event", &event)?;
            let status = store.sync_status(&event)?;
            out!("shared\t{}", if status.shared { "yes" } else { "no" });
            if let Some(team) = &status.team {
                out!("team\t{team}");
            }
            out!("laptop\t{}", status.laptop);
            for l in &status.laptops {
                out!(
                    "from\t{}\t{}\t{}\t{}{}",
                    l.laptop,
                    l.last_seq,
                    clean(&l.author),
                    l.at,
                    if l.this { "\tthis laptop" } else { "" }
                );
            }
            out!("changes\t{}", status.changes);
            out!("conflicts\t{}", status.conflicts);
        }
        Command::Sync(SyncCommand::Conflicts { event, json }) => {
            let event = id("event", &event)?;
            let list = store.sync_conflicts(&event)?;
            if json {
                out!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for c in &list {
                    out!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        c.id,
                        c.kind,
                        c.entity,
                        c.entity_id,
                        c.field,
                        clean(&c.kept.to_string()),
                        clean(&c.lost.to_string()),
                        clean(&c.lost_by),
                        if c.reversed_at.is_some() {
                            "reversed"
                        } else {
                            ""
                        }
                    );
                }
            }
        }
        Command::Letter(command) => return letter(&store, command),
        Command::History { event, json } => {
            let event = id("event", &event)?;
            let mut entries = store.recent_history(&event, usize::MAX)?;
            // Oldest first, as a log is read; outputs (seq 0) by their time among the changes.
            entries.sort_by_key(|e| (e.at, e.seq));
            if json {
                out!("{}", serde_json::to_string_pretty(&entries)?);
            } else {
                for e in &entries {
                    out!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        clean(&e.actor),
                        e.action,
                        e.entity,
                        e.entity_id,
                        clean(&e.label),
                        e.changed_fields.join(","),
                        if e.undone_at.is_some() { "undone" } else { "" }
                    );
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
            map,
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
            let event = id("event", &event)?;
            let mut values = store.read(|c| import::remembered_values(c, &event))?;
            for arg in &map {
                let Some((field, from, to)) = import::matching::parse_map_arg(arg) else {
                    return Err(Error::field(
                        "map",
                        "invalid_value",
                        Text::new("cli-map").with("arg", clean(arg)),
                    ));
                };
                let known = values.entry(field).or_default();
                known.retain(|k, _| import::values::key(k) != import::values::key(&from));
                known.insert(from, to);
            }
            import_file(
                &store,
                &file,
                &event,
                (&options, values),
                &decisions,
                dry_run,
                json,
            )?;
        }
        Command::Generate { officials, seed } => {
            if officials > 50_000 {
                return Err(Error::field(
                    "officials",
                    "invalid_value",
                    Text::new("cli-generate_limit"),
                ));
            }
            let event = generate::generate(&store, generate::Spec::new(officials, seed))?;
            out!("{}\t{}", event.id, event.name_en);
        }
        Command::Backup { output, force } => {
            let size = store.backup_to(&output, force)?;
            out!("{}\t{size}", output.display());
        }
        Command::Restore { .. } | Command::Backups | Command::Recover { .. } => {}
        Command::Rekey {
            new_passphrase_file,
        } => {
            let new = new_passphrase(new_passphrase_file.as_deref())?;
            store::key::set_passphrase(&path, store.key(), &new)?;
            out!("rekeyed\t{}", path.display());
        }
        Command::Doctor => {
            let health = store.health()?;
            out!("file\t{}", path.display());
            out!("schema\t{}", health.schema_version);
            let protection = store.protection()?;
            out!(
                "encryption\t{}",
                if protection.encrypted {
                    "SQLCipher (AES-256)"
                } else {
                    "none"
                }
            );
            out!(
                "key_kept_by\t{}",
                match (protection.keyring, protection.passphrase) {
                    (true, true) => "credential store, passphrase",
                    (true, false) => "credential store",
                    (false, true) => "passphrase",
                    (false, false) => "recovery code only",
                }
            );
            out!("integrity\t{}", health.integrity.join("; "));
            out!("foreign_key_problems\t{}", health.foreign_key_problems);
            for (table, n) in &health.counts {
                out!("{table}\t{n}");
            }
            if !health.is_ok() {
                return Err(Error::Damaged(
                    Text::new("cli-doctor_damaged").with("file", path.display().to_string()),
                ));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Shows cell text on one terminal line: control characters (escape sequences, line breaks
/// from hostile cells) are printed escaped, never sent to the terminal.
/// The id of a record named by its id or a unique beginning of it.
fn resolve(store: &Store, table: &'static str, given: &str) -> Result<String, Error> {
    store.read(|c| store::resolve_id(c, table, given))
}

fn resolve_some(
    store: &Store,
    table: &'static str,
    given: Option<String>,
) -> Result<Option<String>, Error> {
    given.map(|g| resolve(store, table, &g)).transpose()
}

/// `ddesk letter …`: exit 0 when a letter was written (some may have been skipped), 1 when
/// none was.
fn letter(store: &Store, command: LetterCommand) -> Result<ExitCode, Error> {
    let id = |table: &'static str, given: &str| resolve(store, table, given);
    let some_id = |table: &'static str, given: Option<String>| resolve_some(store, table, given);
    let (kind, args) = match command {
        LetterCommand::Visa(a) => (LetterKind::Visa, a),
        LetterCommand::Invitation(a) => (LetterKind::Invitation, a),
        LetterCommand::Certificate(a) => (LetterKind::Certificate, a),
        LetterCommand::Thanks(a) => (LetterKind::Thanks, a),
        LetterCommand::Register { event } => {
            let event = id("event", &event)?;
            for e in store.read(|c| letters::saved::register(c, &event))? {
                out!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    clean(&e.number),
                    e.kind.as_str(),
                    clean(&e.recipient),
                    e.lang,
                    e.format,
                    e.issued_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    e.last_issued_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    e.times,
                    clean(&e.officer)
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        LetterCommand::Letterhead { set, logo, seal } => {
            for (name, file) in [("logo", logo), ("seal", seal)] {
                if let Some(file) = file {
                    let bytes = ddesk_core::files::read_limited(&file, letters::MAX_IMAGE_BYTES)?;
                    // Scanned once per process, and only when a picture is to be drawn.
                    letters::import_image(store, &print::Fonts::system(), name, &bytes)?;
                }
            }
            let mut head = store.read(letters::saved::letterhead)?;
            if !set.is_empty() {
                for pair in &set {
                    let (field, value) = pair.split_once('=').ok_or_else(|| {
                        Error::field(
                            "set",
                            "invalid_value",
                            Text::new("letter-error-letterhead_field").with("field", pair.as_str()),
                        )
                    })?;
                    head.set(field.trim(), value)?;
                }
                store.write(|tx| letters::saved::save_letterhead(tx, &head))?;
            }
            let json = serde_json::to_value(&head)?;
            for field in letters::saved::LETTERHEAD_FIELDS {
                out!("{field}\t{}", clean(json[field].as_str().unwrap_or("")));
            }
            for name in ["logo", "seal"] {
                let image = store.read(|c| letters::saved::image(c, name))?;
                match image {
                    Some(i) => out!("{name}\t{} {}×{}", i.format, i.width_px, i.height_px),
                    None => out!("{name}\t"),
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        LetterCommand::Template {
            kind,
            lang,
            from,
            reset,
        } => {
            if reset {
                store.write(|tx| letters::saved::reset_template(tx, kind, lang))?;
            } else if let Some(from) = from {
                let text = if from == "-" {
                    std::io::read_to_string(std::io::stdin())?
                } else {
                    String::from_utf8_lossy(&ddesk_core::files::read_limited(
                        Path::new(&from),
                        1024 * 1024,
                    )?)
                    .into_owned()
                };
                let mut t = store.read(|c| letters::saved::template(c, kind, lang))?;
                let given: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
                    .map_err(|e| {
                        Error::field(
                            "from",
                            "invalid_value",
                            Text::new("error-record_json").with("detail", e.to_string()),
                        )
                    })?;
                for (key, value) in given {
                    let value = value.as_str().unwrap_or_default().to_string();
                    match key.as_str() {
                        "subject" => t.subject = value,
                        "recipient" => t.recipient = value,
                        "body" => t.body = value,
                        "closing" => t.closing = value,
                        "email" => t.email = value,
                        // kind and lang come from the command line.
                        _ => {}
                    }
                }
                store.write(|tx| letters::saved::save_template(tx, &t))?;
            }
            let t = store.read(|c| letters::saved::template(c, kind, lang))?;
            out!("{}", serde_json::to_string_pretty(&t)?);
            return Ok(ExitCode::SUCCESS);
        }
    };
    let event = id("event", &args.event)?;
    let (official, delegation) = (
        some_id("official", args.official)?,
        some_id("delegation", args.delegation)?,
    );
    let recipients = match (official, delegation, args.all) {
        (Some(id), _, _) => LetterRecipients::Official { id },
        (None, Some(id), _) => LetterRecipients::Delegation { id },
        (None, None, true) => LetterRecipients::All,
        (None, None, false) => {
            return Err(Error::field(
                "scope",
                "required",
                Text::new("cli-letters_scope"),
            ))
        }
    };
    // One letter goes to the file OUT: one official's, or one delegation's letter.
    let mut request = LetterRequest::new(&event, kind, recipients);
    request.format = args.format;
    request.lang = args.lang;
    request.min_attendance = args.min_attendance;
    request.attach_itinerary = args.attach_itinerary;
    let one = request.is_one_letter();
    request.combined = !one
        && args.format == LetterFormat::Pdf
        && args
            .output
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if !one && !request.combined && args.output == Path::new("-") {
        return Err(Error::field(
            "output",
            "invalid_value",
            Text::new("cli-letters_folder"),
        ));
    }
    let tty = std::io::stderr().is_terminal();
    let batch = letters::write_letters(store, &request, &|done, total| {
        if tty {
            eprint!("\r{done}/{total} letters");
        }
    })?;
    if tty {
        eprintln!();
    }
    if !batch.files.is_empty() {
        // One letter, or all in one PDF, goes to the file OUT; several to the folder OUT.
        let to_stdout = match &batch.combined {
            _ if one => write_output(&args.output, &batch.files[0].bytes, args.force)?,
            Some(all) => write_output(&args.output, all, args.force)?,
            None => {
                letters::write_files(&args.output, &batch.files, args.force)?;
                false
            }
        };
        if !to_stdout {
            for file in &batch.files {
                let path = if one || batch.combined.is_some() {
                    args.output.clone()
                } else {
                    args.output.join(&file.name)
                };
                out!(
                    "wrote\t{}\t{}\t{}",
                    path.display(),
                    clean(&file.number),
                    clean(&file.recipient)
                );
            }
        }
    }
    for s in &batch.skipped {
        out!("skipped\t{}\t{}", clean(&s.recipient), s.reason.en());
    }
    Ok(if batch.files.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

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
    (options, values): (&ReadOptions, import::ValueMap),
    decisions: &Decisions,
    dry_run: bool,
    json: bool,
) -> Result<(), Error> {
    // `event` is a resolved id: `run` looked it up (`store::resolve_id`).
    // Read by a child copy of this program under a memory limit: a hostile workbook can
    // exhaust it, never this process (issue 15).
    let table = import::read_file_isolated(&std::env::current_exe()?, file, options)?;
    let remembered = store.read(|c| import::remembered_mapping(c, &table.headers))?;
    let mut mapping = import::auto_mapping(&table.headers, remembered.as_ref());
    mapping.values = values;
    mapping.check(table.headers.len())?;
    let preview = store.read(|c| import::preview(c, event, &table, &mapping))?;
    if json {
        out!("{}", serde_json::to_string_pretty(&preview)?);
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
        out!(
            "file\t{}\t{}\t{}",
            clean(&table.file_name),
            serde_json::to_value(table.format)?.as_str().unwrap_or(""),
            clean(&encoding)
        );
        out!("header_row\t{}", table.header_row);
        for (header, field) in table.headers.iter().zip(&mapping.columns) {
            out!(
                "column\t{}\t{}",
                clean(header),
                field.map(|f| f.as_str()).unwrap_or("-")
            );
        }
        for note in &preview.notes {
            out!(
                "note\t{}\t{}",
                note.severity.as_str(),
                clean(&note.message())
            );
        }
        for v in &preview.values {
            out!(
                "value\t{}\t{}\t{}\t{}",
                v.field.as_str(),
                clean(&v.from),
                clean(&v.to),
                v.how.as_str()
            );
        }
        for u in &preview.unmatched {
            out!(
                "unmatched\t{}\t{}\t{}",
                u.field.as_str(),
                clean(&u.value),
                clean(&u.candidates.join("; "))
            );
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
            out!(
                "row\t{}\t{status}\t{}\t{}",
                row.row,
                clean(&row.official.full_name()),
                clean(&delegation)
            );
            if let Some(d) = &row.duplicate_of {
                out!(
                    "duplicate\t{}\t{}\t{}\t{}",
                    row.row,
                    d.official_id,
                    clean(&d.existing.full_name()),
                    d.reason.describe()
                );
            }
            if let Some(d) = &row.duplicate_in_file {
                out!(
                    "duplicate\t{}\trow {}\t\t{}",
                    row.row,
                    d.row,
                    d.reason.describe()
                );
            }
            for c in &row.changes {
                out!(
                    "change\t{}\t{}\t{}\t{}",
                    row.row,
                    c.field,
                    clean(&c.from),
                    clean(&c.to)
                );
            }
            for m in &row.messages {
                out!(
                    "message\t{}\t{}\t{}\t{}",
                    row.row,
                    m.severity.as_str(),
                    m.field.as_deref().unwrap_or(""),
                    clean(&m.message())
                );
            }
        }
        let c = preview.counts;
        out!(
            "summary\trows {}\tnew {}\tduplicate {}\terror {}\twarning {}",
            c.rows,
            c.new,
            c.duplicate,
            c.error,
            c.warning
        );
    }
    if preview.counts.error > 0 && !decisions.skip_errors {
        return Err(Error::Import {
            code: "rows_have_errors",
            text: Text::new("cli-rows_have_errors").with("count", preview.counts.error),
        });
    }
    if dry_run {
        if !json {
            out!("dry_run\tnothing written");
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
        out!(
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
    ddesk_core::import::serve_if_asked();
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
    let passphrase_file = cli.passphrase_file.clone();
    // The key the library's backups open with, to offer one of them (it opens without the
    // library: a damaged library is what restores are for).
    let offer_key = |path: &Path| store::key::environment_key(path, passphrase_file.as_deref());
    match run(cli) {
        Ok(code) => code,
        // The reader of the output went away (`| head -1`): nothing more to say to anyone.
        Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            // A damaged library: say which backup would bring it back, on the same line.
            let offer = match (&e, &path) {
                (Error::Damaged(_), Some(path)) => {
                    backup::newest_good_backup(path, &offer_key(path))
                        .ok()
                        .flatten()
                        .map(|b| {
                            format!(
                        " The newest good backup is {} ({}); `ddesk restore` it to go back to it.",
                        b.path.display(),
                        b.created_at
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    )
                        })
                }
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
