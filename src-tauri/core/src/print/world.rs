//! The small `typst::World` printing runs in: the document's template and the shared template
//! library as sources, the data as `/data.json`, the process's fonts, and nothing from disk.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::Datelike;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::fonts::Fonts;
use crate::error::Error;

/// The standard library is the same for every document; built once.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The templates, compiled into the engine so that a build prints the layout it was tested with.
pub(crate) const COMMON: &str = include_str!("templates/common.typ");

fn file_id(path: &str) -> Result<FileId, Error> {
    let vpath = VirtualPath::new(path)
        .map_err(|e| Error::Internal(format!("template path {path}: {e:?}").into()))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

pub(crate) struct PrintWorld<'a> {
    fonts: &'a Fonts,
    main: FileId,
    sources: HashMap<FileId, Source>,
    files: HashMap<FileId, Bytes>,
    today: chrono::NaiveDate,
}

impl<'a> PrintWorld<'a> {
    /// A world whose main file is `template`, which reads `/common.typ` and `/data.json`.
    pub(crate) fn new(
        fonts: &'a Fonts,
        template: &str,
        data: Vec<u8>,
        today: chrono::NaiveDate,
    ) -> Result<Self, Error> {
        let main = file_id("/main.typ")?;
        let common = file_id("/common.typ")?;
        let mut sources = HashMap::new();
        sources.insert(main, Source::new(main, template.to_string()));
        sources.insert(common, Source::new(common, COMMON.to_string()));
        let mut files = HashMap::new();
        files.insert(file_id("/data.json")?, Bytes::new(data));
        Ok(PrintWorld {
            fonts,
            main,
            sources,
            files,
            today,
        })
    }

    /// Adds a file the template may read (a letterhead's logo at `/logo.png`).
    pub(crate) fn with_file(mut self, path: &str, bytes: Vec<u8>) -> Result<Self, Error> {
        self.files.insert(file_id(path)?, Bytes::new(bytes));
        Ok(self)
    }

    /// Where a diagnostic points, as "main.typ:12", for the log.
    pub(crate) fn describe(&self, diagnostics: &[SourceDiagnostic]) -> String {
        diagnostics
            .iter()
            .map(|d| {
                let place = d
                    .span
                    .id()
                    .and_then(|id| {
                        let source = self.sources.get(&id)?;
                        let range = typst::WorldExt::range(self, d.span)?;
                        let line = source.lines().byte_to_line(range.start)? + 1;
                        Some(format!("{}:{line}: ", id.vpath().get_without_slash()))
                    })
                    .unwrap_or_default();
                let hints: Vec<&str> = d.hints.iter().map(|h| h.v.as_str()).collect();
                format!("{place}{} {}", d.message, hints.join("; "))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl World for PrintWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.sources.get(&id).cloned().ok_or_else(|| {
            FileError::NotFound(std::path::PathBuf::from(id.vpath().get_without_slash()))
        })
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(source) = self.sources.get(&id) {
            return Ok(Bytes::from_string(source.clone()));
        }
        self.files.get(&id).cloned().ok_or_else(|| {
            FileError::NotFound(std::path::PathBuf::from(id.vpath().get_without_slash()))
        })
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Datetime::from_ymd(
            self.today.year(),
            self.today.month() as u8,
            self.today.day() as u8,
        )
    }
}
