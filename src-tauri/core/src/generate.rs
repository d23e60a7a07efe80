//! A deterministic generator of large events, for benchmarks and scale tests: N officials
//! across ~190 countries and organizations, names in many scripts, flights, hotel stays,
//! sessions and rosters. The same seed always gives the same event.
//!
//! Real events are never clean, and a clean one would leave the checks and the dashboard
//! idle in the benchmarks, so a few things are off, as in a real office's file (see
//! [`Quirks`]): passports without an expiry date or expiring soon, a few officials landing
//! after their first session, some cancellations, and twin rooms shared by two.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rusqlite::Transaction;
use uuid::Uuid;

use crate::error::Result;
use crate::model::*;
use crate::reference;
use crate::store::{self, Store};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub officials: usize,
    pub seed: u64,
    pub sessions: usize,
    pub hotels: usize,
}

impl Spec {
    pub fn new(officials: usize, seed: u64) -> Spec {
        Spec {
            officials,
            seed,
            sessions: 300,
            hotels: 20,
        }
    }
}

/// SplitMix64: small, fast, and stable across platforms and versions, unlike a crate's RNG.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn uuid(&mut self) -> String {
        Uuid::from_u64_pair(self.next(), self.next()).to_string()
    }
}

/// What is off about one official. Drawn from a stream of its own, a fixed number of draws
/// per official, so the rest of the event (names, flights, rosters) is what it would be
/// without them.
struct Quirks {
    /// About 1 in 100: a passport number but no expiry date.
    no_passport_expiry: bool,
    /// About 1 in 200: the passport expires within six months of the event's end.
    passport_expiring: bool,
    /// About 1 in 100 who fly in: lands at midday on the first day, after the morning sessions.
    late_arrival: bool,
    /// About 1 in 50 (never a head of delegation): cancelled, flights and room still on file.
    cancelled: bool,
    /// About 1 in 8 hotel guests: shares a twin room with the next guest of the same hotel.
    twin: bool,
}

impl Quirks {
    fn draw(rng: &mut Rng) -> Quirks {
        let draws = [
            rng.below(100),
            rng.below(200),
            rng.below(100),
            rng.below(50),
            rng.below(8),
        ];
        Quirks {
            no_passport_expiry: draws[0] == 0,
            passport_expiring: draws[1] == 0,
            late_arrival: draws[2] == 0,
            cancelled: draws[3] == 0,
            twin: draws[4] == 0,
        }
    }
}

/// Name pools: (Latin as in the passport, native script). Invented combinations of common
/// names; no real person is meant.
struct Pool {
    countries: &'static [&'static str],
    family: &'static [(&'static str, &'static str)],
    given: &'static [(&'static str, &'static str)],
}

const POOLS: &[Pool] = &[
    Pool {
        countries: &["KR"],
        family: &[
            ("KIM", "김"),
            ("LEE", "이"),
            ("PARK", "박"),
            ("CHOI", "최"),
            ("JUNG", "정"),
        ],
        given: &[
            ("Minjun", "민준"),
            ("Seoyeon", "서연"),
            ("Jiho", "지호"),
            ("Hayun", "하윤"),
        ],
    },
    Pool {
        countries: &["VN"],
        family: &[
            ("NGUYEN", "Nguyễn"),
            ("TRAN", "Trần"),
            ("LE", "Lê"),
            ("PHAM", "Phạm"),
        ],
        given: &[
            ("Van Minh", "Văn Minh"),
            ("Thi Lan", "Thị Lan"),
            ("Duc Anh", "Đức Anh"),
            ("Thu Ha", "Thu Hà"),
        ],
    },
    Pool {
        countries: &["TH"],
        family: &[("SRISUK", "ศรีสุข"), ("WONGSA", "วงศา"), ("CHAIYA", "ชัยยา")],
        given: &[
            ("Somchai", "สมชาย"),
            ("Nattaya", "ณัฐญา"),
            ("Anurak", "อนุรักษ์"),
        ],
    },
    Pool {
        countries: &["LA"],
        family: &[("PHOMMA", "ພົມມາ"), ("SOUVANNA", "ສຸວັນນະ")],
        given: &[("Khamla", "ຄຳລາ"), ("Souksavanh", "ສຸກສະຫວັນ")],
    },
    Pool {
        countries: &["KH"],
        family: &[("SOK", "សុខ"), ("CHAN", "ចាន់")],
        given: &[("Dara", "តារា"), ("Sophea", "សុភា")],
    },
    Pool {
        countries: &["MM"],
        family: &[("AUNG", "အောင်"), ("KYAW", "ကျော်")],
        given: &[("Min Htet", "မင်းထက်"), ("Thida", "သီတာ")],
    },
    Pool {
        countries: &["MN", "RU", "KZ", "KG", "TJ", "BY", "UA"],
        family: &[
            ("BATBAYAR", "Батбаяр"),
            ("IVANOVA", "Иванова"),
            ("SERIKOV", "Сериков"),
        ],
        given: &[
            ("Enkhtuya", "Энхтуяа"),
            ("Aizhan", "Айжан"),
            ("Dmitri", "Дмитрий"),
        ],
    },
    Pool {
        countries: &[
            "SA", "EG", "JO", "AE", "MA", "DZ", "IQ", "OM", "QA", "KW", "TN", "LB",
        ],
        family: &[
            ("ALHARBI", "الحربي"),
            ("HASSAN", "حسن"),
            ("ALMASRI", "المصري"),
        ],
        given: &[("Ahmed", "أحمد"), ("Rania", "رانيا"), ("Omar", "عمر")],
    },
    Pool {
        countries: &["CN", "TW", "HK", "MO", "SG"],
        family: &[("WANG", "王"), ("LI", "李"), ("ZHANG", "张"), ("LIU", "刘")],
        given: &[("Wei", "伟"), ("Fang", "芳"), ("Jing", "静"), ("Lei", "磊")],
    },
    Pool {
        countries: &["JP"],
        family: &[("SATO", "佐藤"), ("SUZUKI", "鈴木"), ("TANAKA", "田中")],
        given: &[("Haruto", "陽翔"), ("Yui", "結衣"), ("Ren", "蓮")],
    },
    Pool {
        countries: &["IN", "NP"],
        family: &[("SHARMA", "शर्मा"), ("GUPTA", "गुप्ता"), ("THAPA", "थापा")],
        given: &[("Priya", "प्रिया"), ("Rahul", "राहुल"), ("Anita", "अनीता")],
    },
    Pool {
        countries: &["GE"],
        family: &[("BERIDZE", "ბერიძე"), ("KAPANADZE", "კაპანაძე")],
        given: &[("Giorgi", "გიორგი"), ("Nino", "ნინო")],
    },
];

/// Everyone else: Latin names only, native name left empty.
const LATIN_FAMILY: &[&str] = &[
    "SANTOS",
    "GARCIA",
    "MARTIN",
    "SILVA",
    "MULLER",
    "DUBOIS",
    "ROSSI",
    "OKAFOR",
    "MENSAH",
    "SANTOSO",
    "REYES",
    "NOVAK",
    "KOWALSKI",
    "JOHANSSON",
    "HAKIMI",
    "BANDA",
    "MWANGI",
    "FERREIRA",
    "LOPEZ",
    "NKOSI",
];
const LATIN_GIVEN: &[&str] = &[
    "Maria",
    "José",
    "Anna",
    "Pierre",
    "Amara",
    "Kwame",
    "Sofia",
    "Lucas",
    "Fatima",
    "Elena",
    "Tomás",
    "Ingrid",
    "Chinedu",
    "Ana Lucía",
    "Mateus",
    "Zanele",
    "Grace",
    "Joseph",
    "Leila",
    "Noah",
];

fn names(rng: &mut Rng, country: &str) -> (String, String, String) {
    match POOLS.iter().find(|p| p.countries.contains(&country)) {
        Some(pool) => {
            let (fl, fnat) = *rng.pick(pool.family);
            let (gl, gnat) = *rng.pick(pool.given);
            // East Asian and Hungarian-style orders put the family name first.
            let native = if matches!(
                country,
                "KR" | "CN" | "TW" | "HK" | "MO" | "SG" | "JP" | "VN"
            ) {
                if country == "VN" {
                    format!("{fnat} {gnat}")
                } else {
                    format!("{fnat}{gnat}")
                }
            } else {
                format!("{gnat} {fnat}")
            };
            (fl.to_string(), gl.to_string(), native)
        }
        None => (
            rng.pick(LATIN_FAMILY).to_string(),
            rng.pick(LATIN_GIVEN).to_string(),
            String::new(),
        ),
    }
}

/// Inserts records without the per-record checks: the generator builds them valid by
/// construction, and the tests check the result with `health()` and the checks.
fn put<R: Record>(tx: &Transaction<'_>, records: &[R]) -> Result<()> {
    let columns = R::COLUMNS.join(", ");
    let marks = vec!["?"; R::COLUMNS.len() + 3].join(", ");
    let sql = format!(
        "INSERT INTO {} (id, {columns}, created_at, updated_at) VALUES ({marks})",
        R::TABLE
    );
    let mut stmt = tx.prepare(&sql)?;
    let now = Utc::now();
    for r in records {
        let id = r.id().to_string();
        let mut params: Vec<&dyn rusqlite::ToSql> = vec![&id];
        params.extend(r.params());
        params.push(&now);
        params.push(&now);
        stmt.execute(params.as_slice())?;
    }
    Ok(())
}

/// Generates one event into `store` and returns it.
pub fn generate(store: &Store, spec: Spec) -> Result<Event> {
    let mut rng = Rng(spec.seed);
    let mut quirks = Rng(spec.seed ^ 0x005E_ED0F_0DD5);
    let start = NaiveDate::from_ymd_opt(2025, 6, 10).unwrap_or_default();
    let days = 3;
    let end = start + Duration::days(days - 1);
    let tz = chrono_tz::Asia::Seoul;
    let local = |date: NaiveDate, h: u32, m: u32| {
        tz.from_local_datetime(&date.and_hms_opt(h, m, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    let event = Event {
        id: rng.uuid(),
        name_en: format!(
            "Generated Forum ({} officials, seed {})",
            spec.officials, spec.seed
        ),
        name_ko: format!("생성된 포럼 ({}명, 시드 {})", spec.officials, spec.seed),
        start_date: start,
        end_date: end,
        time_zone: "Asia/Seoul".into(),
        city: "Seoul".into(),
        host_country: "KR".into(),
        host: "Generated".into(),
        ..Event::default()
    };

    // ~190 delegations: the host, 175 other countries and the organizations.
    let mut delegations: Vec<Delegation> = Vec::new();
    // The countries with name pools come first, so that every script is present whatever the
    // reference list's order (taken alphabetically, 175 countries stop before Thailand and
    // Viet Nam); the rest of the list fills up to 175.
    let pooled = POOLS
        .iter()
        .flat_map(|p| p.countries.iter().copied())
        .filter(|c| *c != "KR" && reference::country(c).is_some());
    let others = reference::countries()
        .iter()
        .map(|c| c.code.as_str())
        .filter(|c| *c != "KR" && !POOLS.iter().any(|p| p.countries.contains(c)));
    let mut codes: Vec<&str> = vec!["KR"];
    codes.extend(pooled.chain(others).take(175));
    for code in &codes {
        let c = reference::country(code).expect("listed country");
        delegations.push(Delegation {
            id: rng.uuid(),
            event_id: event.id.clone(),
            kind: DelegationKind::Country,
            country_code: Some(c.code.clone()),
            name_en: c.name_en.clone(),
            name_ko: c.name_ko.clone(),
            status: InvitationStatus::Confirmed,
            ..Delegation::default()
        });
    }
    for org in reference::organizations() {
        delegations.push(Delegation {
            id: rng.uuid(),
            event_id: event.id.clone(),
            kind: DelegationKind::Organization,
            org_code: Some(org.code.clone()),
            name_en: org.name_en.clone(),
            name_ko: org.name_ko.clone(),
            status: InvitationStatus::Confirmed,
            ..Delegation::default()
        });
    }

    let mut officials = Vec::with_capacity(spec.officials);
    let mut travel = Vec::with_capacity(spec.officials * 2);
    // Officials who share a twin with the next guest of their hotel.
    let mut twins: std::collections::HashSet<String> = std::collections::HashSet::new();
    for i in 0..spec.officials {
        let d = &mut delegations[i % (codes.len() + reference::organizations().len())];
        let nationality = d
            .country_code
            .clone()
            .unwrap_or_else(|| rng.pick(&codes).to_string());
        let (family, given, native) = names(&mut rng, &nationality);
        let first = d.seats == 0;
        d.seats += 1;
        let quirk = Quirks::draw(&mut quirks);
        let mut o = Official {
            id: rng.uuid(),
            event_id: event.id.clone(),
            delegation_id: Some(d.id.clone()),
            honorific: rng.pick(&["Mr.", "Ms.", "Dr.", "H.E."]).to_string(),
            // As a badge names someone: "Ahmed Alharbi", where the passport has ALHARBI.
            badge_name: format!("{given} {}", title_case(&family)),
            family_name: family,
            given_name: given,
            native_name: native,
            position: rng
                .pick(&[
                    "Director",
                    "Deputy Director",
                    "Procurement Officer",
                    "Senior Specialist",
                    "Minister",
                ])
                .to_string(),
            organization: format!("Public Procurement Agency of {}", d.name_en),
            category: if first {
                Category::HeadOfDelegation
            } else {
                *rng.pick(&[
                    Category::Delegate,
                    Category::Delegate,
                    Category::Speaker,
                    Category::Observer,
                ])
            },
            gender: *rng.pick(&[Gender::Female, Gender::Male]),
            email: format!("official{i}@example.org"),
            nationality: nationality.clone(),
            birth_date: NaiveDate::from_ymd_opt(
                1960 + rng.below(35) as i32,
                1 + rng.below(12) as u32,
                1 + rng.below(28) as u32,
            ),
            passport_number: format!("G{:08}", i),
            passport_expiry: NaiveDate::from_ymd_opt(
                2027 + rng.below(8) as i32,
                1 + rng.below(12) as u32,
                1,
            ),
            dietary: rng
                .pick(&["", "", "", "Vegetarian", "Halal", "No pork"])
                .to_string(),
            status: OfficialStatus::Confirmed,
            ..Official::default()
        };
        if first {
            d.head_official_id = Some(o.id.clone());
        } else if quirk.cancelled {
            o.status = OfficialStatus::Cancelled;
        }
        if quirk.no_passport_expiry {
            o.passport_expiry = None;
        } else if quirk.passport_expiring {
            o.passport_expiry = Some(end + Duration::days(30 + (i % 120) as i64));
        }
        if quirk.twin {
            twins.insert(o.id.clone());
        }
        if nationality != "KR" {
            travel.push(Travel {
                id: rng.uuid(),
                official_id: o.id.clone(),
                direction: Direction::Arrival,
                flight: format!("KE{}", 100 + rng.below(900)),
                origin: "XXX".into(),
                airport: "ICN".into(),
                scheduled_at: {
                    // Drawn either way, so that the late ones leave the stream unchanged.
                    let usual = local(
                        start - Duration::days(1),
                        6 + rng.below(16) as u32,
                        5 * rng.below(12) as u32,
                    );
                    if quirk.late_arrival {
                        local(start, 12 + (i % 3) as u32, 30)
                    } else {
                        usual
                    }
                },
                pickup: true,
                ..Travel::default()
            });
            travel.push(Travel {
                id: rng.uuid(),
                official_id: o.id.clone(),
                direction: Direction::Departure,
                flight: format!("OZ{}", 100 + rng.below(900)),
                origin: "XXX".into(),
                airport: "ICN".into(),
                scheduled_at: local(
                    end + Duration::days(1),
                    8 + rng.below(14) as u32,
                    5 * rng.below(12) as u32,
                ),
                ..Travel::default()
            });
        }
        officials.push(o);
    }

    // Hotels, each with a block of single rooms and one of twins, for the nights before and
    // during the event. Guests go round the hotels in turn; a guest marked for a twin shares
    // with the next guest of the same hotel, and each block holds exactly the rooms its
    // guests need (cancelled guests' rooms are still booked: nobody has released them yet).
    let hotels: Vec<Hotel> = (0..spec.hotels)
        .map(|h| Hotel {
            id: rng.uuid(),
            event_id: event.id.clone(),
            name: format!("Hotel {}", h + 1),
            name_ko: format!("호텔 {}", h + 1),
            ..Hotel::default()
        })
        .collect();
    let foreign: Vec<&Official> = officials.iter().filter(|o| o.nationality != "KR").collect();
    let hotel_count = spec.hotels.max(1);
    let mut guests: Vec<Vec<&Official>> = vec![Vec::new(); hotel_count];
    for (i, o) in foreign.iter().enumerate() {
        guests[i % hotel_count].push(o);
    }
    // Each room: its hotel and one or two guests.
    let mut rooms_taken: Vec<(usize, &Official, Option<&Official>)> = Vec::new();
    for (h, list) in guests.iter().enumerate() {
        let mut k = 0;
        while k < list.len() {
            if twins.contains(&list[k].id) && k + 1 < list.len() {
                rooms_taken.push((h, list[k], Some(list[k + 1])));
                k += 2;
            } else {
                rooms_taken.push((h, list[k], None));
                k += 1;
            }
        }
    }
    let mut blocks: Vec<RoomBlock> = Vec::new();
    // (single block, twin block) index in `blocks`, per hotel.
    let mut block_of: Vec<(usize, Option<usize>)> = Vec::with_capacity(hotel_count);
    for (h, hotel) in hotels.iter().enumerate() {
        let count = |twin: bool| {
            rooms_taken
                .iter()
                .filter(|(x, _, mate)| *x == h && mate.is_some() == twin)
                .count() as i64
        };
        let mut block = |room_type: &str, occupancy: i64, rooms: i64| {
            blocks.push(RoomBlock {
                id: rng.uuid(),
                hotel_id: hotel.id.clone(),
                room_type: room_type.into(),
                occupancy,
                first_night: start - Duration::days(1),
                last_night: end,
                rooms,
                ..RoomBlock::default()
            });
            blocks.len() - 1
        };
        let single = block("Single", 1, count(false));
        let twin = match count(true) {
            0 => None,
            n => Some(block("Twin", 2, n)),
        };
        block_of.push((single, twin));
    }
    let mut stays: Vec<Stay> = Vec::with_capacity(foreign.len());
    for (h, guest, mate) in &rooms_taken {
        let (single, twin) = block_of[*h];
        let block = match (mate, twin) {
            (Some(_), Some(t)) => t,
            _ => single,
        };
        let pair = [Some((*guest, *mate)), mate.map(|m| (m, Some(*guest)))];
        for (who, shares) in pair.into_iter().flatten() {
            stays.push(Stay {
                id: Uuid::from_u64_pair(spec.seed, stays.len() as u64).to_string(),
                official_id: who.id.clone(),
                hotel_id: hotels[*h].id.clone(),
                room_block_id: Some(blocks[block].id.clone()),
                check_in: start - Duration::days(1),
                check_out: end + Duration::days(1),
                shares_with_id: shares.map(|m| m.id.clone()),
                ..Stay::default()
            });
        }
    }

    // One venue; parallel tracks in its rooms, ten slots over three days.
    let venue = Venue {
        id: rng.uuid(),
        event_id: event.id.clone(),
        name: "Generated Convention Centre".into(),
        ..Venue::default()
    };
    let slots: Vec<(NaiveDate, u32)> = (0..days)
        .flat_map(|d| [9, 11, 14, 16].map(|h| (start + Duration::days(d), h)))
        .take(10)
        .collect();
    // Sessions with an audience besides the tracks: a lunch for everyone each day and a
    // dinner for the heads of delegation, with exceptions both ways.
    let for_audiences = if spec.sessions >= 10 {
        days as usize + 1
    } else {
        0
    };
    let track_sessions = spec.sessions - for_audiences;
    let tracks = track_sessions.div_ceil(slots.len()).max(1);
    let rooms: Vec<VenueRoom> = (0..tracks)
        .map(|r| VenueRoom {
            id: rng.uuid(),
            venue_id: venue.id.clone(),
            name: format!("Room {}", r + 1),
            capacity: (spec.officials / tracks + 50) as i64,
            ..VenueRoom::default()
        })
        .collect();
    let kinds = [
        SessionKind::Plenary,
        SessionKind::Panel,
        SessionKind::Workshop,
        SessionKind::Panel,
    ];
    let mut sessions = Vec::with_capacity(spec.sessions);
    for (n, (date, hour)) in slots.iter().enumerate() {
        for (r, room) in rooms.iter().enumerate() {
            if sessions.len() == track_sessions {
                break;
            }
            sessions.push(Session {
                id: rng.uuid(),
                event_id: event.id.clone(),
                kind: kinds[(n + r) % kinds.len()],
                title_en: format!("Session {}.{}", n + 1, r + 1),
                title_ko: format!("세션 {}.{}", n + 1, r + 1),
                starts_at: local(*date, *hour, 0),
                ends_at: local(*date, *hour + 1, 30),
                venue_room_id: Some(room.id.clone()),
                ..Session::default()
            });
        }
    }
    let mut meals = Vec::new();
    for day in 0..for_audiences {
        let date = start + Duration::days(day as i64);
        let dinner = day as i64 == days;
        meals.push(Session {
            id: rng.uuid(),
            event_id: event.id.clone(),
            kind: SessionKind::Meal,
            title_en: if dinner {
                "Heads of delegation dinner".into()
            } else {
                format!("Lunch, day {}", day + 1)
            },
            title_ko: if dinner {
                "대표단장 만찬".into()
            } else {
                format!("{}일차 오찬", day + 1)
            },
            starts_at: local(
                if dinner { start } else { date },
                if dinner { 19 } else { 12 },
                30,
            ),
            ends_at: local(
                if dinner { start } else { date },
                if dinner { 21 } else { 13 },
                45,
            ),
            location: "Generated Banquet Hall".into(),
            audience: if dinner {
                Audience::Groups
            } else {
                Audience::Everyone
            },
            audience_categories: if dinner {
                Category::HeadOfDelegation.as_str().into()
            } else {
                String::new()
            },
            ..Session::default()
        });
    }
    // Each official sits in one track in half of the slots.
    let mut participants = Vec::new();
    for (i, o) in officials.iter().enumerate() {
        for slot in 0..slots.len() {
            if rng.below(2) == 0 {
                continue;
            }
            let index = slot * tracks + (i + slot) % tracks;
            if let Some(s) = sessions.get(index) {
                participants.push(Participant {
                    id: Uuid::from_u64_pair(!spec.seed, participants.len() as u64).to_string(),
                    session_id: s.id.clone(),
                    official_id: o.id.clone(),
                    role: Role::Participant,
                    ..Participant::default()
                });
            }
        }
    }

    // Exceptions to the meals' rules: some left out of the first lunch, some with a role
    // there, every 50th official added to the heads' dinner.
    if let [lunch, .., dinner] = meals.as_slice() {
        for (i, o) in officials.iter().enumerate() {
            let mut entry = |session: &Session, membership, role| {
                participants.push(Participant {
                    id: Uuid::from_u64_pair(!spec.seed, participants.len() as u64).to_string(),
                    session_id: session.id.clone(),
                    official_id: o.id.clone(),
                    role,
                    membership,
                    ..Participant::default()
                });
            };
            if i % 97 == 5 {
                entry(lunch, Membership::Removed, Role::Participant);
            } else if i % 89 == 7 {
                entry(lunch, Membership::Rule, Role::Speaker);
            }
            if i % 50 == 3 && o.category != Category::HeadOfDelegation {
                entry(dinner, Membership::Added, Role::Guest);
            }
        }
    }
    sessions.extend(meals);

    store.write(|tx| {
        put(tx, std::slice::from_ref(&event))?;
        // Heads are linked after their officials exist.
        let heads: Vec<(String, Option<String>)> = delegations
            .iter()
            .map(|d| (d.id.clone(), d.head_official_id.clone()))
            .collect();
        let without_heads: Vec<Delegation> = delegations
            .iter()
            .cloned()
            .map(|mut d| {
                d.head_official_id = None;
                d
            })
            .collect();
        put(tx, &without_heads)?;
        put(tx, &officials)?;
        let mut stmt = tx.prepare("UPDATE delegation SET head_official_id = ? WHERE id = ?")?;
        for (id, head) in &heads {
            stmt.execute(rusqlite::params![head, id])?;
        }
        put(tx, &travel)?;
        put(tx, &hotels)?;
        put(tx, &blocks)?;
        put(tx, &stays)?;
        put(tx, std::slice::from_ref(&venue))?;
        put(tx, &rooms)?;
        put(tx, &sessions)?;
        put(tx, &participants)?;
        store::refresh_event_search(tx, &event.id)?;
        Ok(())
    })?;
    Ok(event)
}

/// Each word with its first letter in capitals and the rest in small letters.
fn title_case(name: &str) -> String {
    name.split(' ')
        .map(|word| {
            let mut letters = word.chars();
            letters.next().map_or_else(String::new, |first| {
                first
                    .to_uppercase()
                    .chain(letters.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}
