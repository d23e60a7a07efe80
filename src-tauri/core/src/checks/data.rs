//! The event as the checks see it: every record of the event read in one go (the one place
//! the checks read the library), and the lookups built from it once per run.

use super::*;

/// FxHash maps: the checks hash hundreds of thousands of record ids per run, and SipHash's
/// resistance to crafted keys buys nothing for data on the officer's own disk.
pub(super) type Map<K, V> = rustc_hash::FxHashMap<K, V>;

/// Everything the checks and the dashboard look at, read in one go.
#[derive(Debug, Clone, Default)]
pub struct EventData {
    pub event: Event,
    pub delegations: Vec<Delegation>,
    pub officials: Vec<Official>,
    pub travel: Vec<Travel>,
    pub hotels: Vec<Hotel>,
    pub blocks: Vec<RoomBlock>,
    pub stays: Vec<Stay>,
    pub rooms: Vec<VenueRoom>,
    pub sessions: Vec<Session>,
    pub participants: Vec<Participant>,
    pub vehicles: Vec<Vehicle>,
    pub runs: Vec<TransferRun>,
    pub passengers: Vec<RunPassenger>,
    /// Who was checked in at the event's door.
    pub entries: Vec<EventEntry>,
    /// The team's margin after landing and time on the road.
    pub transport: crate::transport::Settings,
    /// The office's protocol ranks, in order (the seating checks' order of precedence).
    pub ranks: Vec<crate::protocol::Rank>,
}

impl EventData {
    pub fn load(conn: &Connection, event_id: &str) -> Result<EventData> {
        let event = Event::get(conn, event_id)?;
        let id = event_id;
        Ok(EventData {
            delegations: Delegation::of_event(conn, id)?,
            officials: Official::of_event(conn, id)?,
            travel: Travel::of_event(conn, id)?,
            hotels: Hotel::of_event(conn, id)?,
            blocks: RoomBlock::of_event(conn, id)?,
            stays: Stay::of_event(conn, id)?,
            rooms: VenueRoom::of_event(conn, id)?,
            sessions: Session::of_event(conn, id)?,
            participants: Participant::of_event(conn, id)?,
            vehicles: Vehicle::of_event(conn, id)?,
            runs: TransferRun::of_event(conn, id)?,
            passengers: RunPassenger::of_event(conn, id)?,
            entries: EventEntry::of_event(conn, id)?,
            transport: crate::transport::Settings::load(conn)?,
            ranks: crate::protocol::ranks(conn)?,
            event,
        })
    }
}

/// Lookups shared by the checks, built once.
pub(super) struct Index<'a> {
    pub(super) d: &'a EventData,
    pub(super) tz: chrono_tz::Tz,
    /// Where each official is in `d.officials` (and `people`).
    pub(super) position: Map<&'a str, usize>,
    pub(super) delegations: Map<&'a str, &'a Delegation>,
    pub(super) rooms: Map<&'a str, &'a VenueRoom>,
    pub(super) hotels: Map<&'a str, &'a Hotel>,
    /// Per official, in the order of `d.officials`: the checks walk officials and read their
    /// sessions, flights and stays without a lookup each.
    pub(super) people: Vec<Person<'a>>,
    /// Each session's roster and each official's agenda, as the audiences make them.
    pub(super) rosters: Rosters<'a>,
}

/// One official's flights and hotel stays (their sessions are `Index::rosters`).
#[derive(Default)]
pub(super) struct Person<'a> {
    pub(super) arrivals: Vec<&'a Travel>,
    pub(super) departures: Vec<&'a Travel>,
    pub(super) stays: Vec<&'a Stay>,
}

impl<'a> Index<'a> {
    pub(super) fn new(d: &'a EventData) -> Index<'a> {
        let position: Map<&str, usize> = d
            .officials
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.as_str(), i))
            .collect();
        let rosters = Rosters::derive(&d.sessions, &d.officials, &d.participants);
        let mut people: Vec<Person<'a>> =
            (0..d.officials.len()).map(|_| Person::default()).collect();
        for t in &d.travel {
            let Some(&i) = position.get(t.official_id.as_str()) else {
                continue;
            };
            match t.direction {
                Direction::Arrival => people[i].arrivals.push(t),
                Direction::Departure => people[i].departures.push(t),
            }
        }
        for s in &d.stays {
            if let Some(&i) = position.get(s.official_id.as_str()) {
                people[i].stays.push(s);
            }
        }
        Index {
            d,
            tz: d.event.tz(),
            position,
            delegations: d.delegations.iter().map(|x| (x.id.as_str(), x)).collect(),
            rooms: d.rooms.iter().map(|x| (x.id.as_str(), x)).collect(),
            hotels: d.hotels.iter().map(|x| (x.id.as_str(), x)).collect(),
            people,
            rosters,
        }
    }

    pub(super) fn official(&self, id: &str) -> Option<&'a Official> {
        self.position.get(id).map(|&i| &self.d.officials[i])
    }

    pub(super) fn official_is_active(&self, id: &str) -> bool {
        self.official(id).is_some_and(active)
    }

    /// Officials not cancelled, with their flights and stays and their sessions by start time.
    pub(super) fn active_people(
        &self,
    ) -> impl Iterator<Item = (&'a Official, &Person<'a>, &[&'a Session])> {
        self.d
            .officials
            .iter()
            .zip(&self.people)
            .enumerate()
            .filter(|(_, (o, _))| active(o))
            .map(|(i, (o, p))| (o, p, self.rosters.agenda(i)))
    }

    pub(super) fn local(&self, at: DateTime<Utc>) -> chrono::NaiveDateTime {
        at.with_timezone(&self.tz).naive_local()
    }

    /// "7 May 09:30" and "5월 7일 09:30", in the event's zone, as a message argument.
    pub(super) fn at(&self, at: DateTime<Utc>) -> Arg {
        Arg::both(self.when(at), self.when_ko(at))
    }

    /// "7 May 09:30", in the event's zone.
    pub(super) fn when(&self, at: DateTime<Utc>) -> String {
        crate::dates::day_month_time(self.local(at), Language::En)
    }

    pub(super) fn when_ko(&self, at: DateTime<Utc>) -> String {
        crate::dates::day_month_time(self.local(at), Language::Ko)
    }

    /// Someone who travels in from abroad: a nationality other than the host's, or, without
    /// one, a country delegation other than the host, or an organisation's delegation. Staff
    /// of the ADB, the IsDB or GIZ mostly fly in from headquarters or country offices, so an
    /// organisation delegate whose nationality is not on file is expected to need flights,
    /// a hotel and a passport; only a recorded host nationality makes them local.
    pub(super) fn is_foreign(&self, o: &Official) -> bool {
        let host = self.d.event.host_country.as_str();
        if !o.nationality.is_empty() {
            return o.nationality != host;
        }
        let delegation = o
            .delegation_id
            .as_deref()
            .and_then(|id| self.delegations.get(id));
        match delegation {
            Some(d) if d.kind == DelegationKind::Organization => true,
            Some(d) => d.country_code.as_deref().is_some_and(|c| c != host),
            None => false,
        }
    }

    pub(super) fn hotel(&self, id: &str) -> (&'a str, &'a str) {
        match self.hotels.get(id) {
            Some(h) => (h.name.as_str(), or_other(&h.name_ko, &h.name)),
            None => ("", ""),
        }
    }
}
