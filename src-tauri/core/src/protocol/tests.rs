//! Tests of the order of precedence: each rule in one case, and the officer's moves.

use super::*;
use crate::store::Unlock;

fn delegation(id: &str, kind: DelegationKind, en: &str, ko: &str, precedence: i64) -> Delegation {
    Delegation {
        id: id.into(),
        kind,
        name_en: en.into(),
        name_ko: ko.into(),
        precedence,
        ..Delegation::default()
    }
}

fn official(id: &str, family: &str, rank: &str, delegation: &str) -> Official {
    Official {
        id: id.into(),
        family_name: family.into(),
        protocol_rank: rank.into(),
        delegation_id: (!delegation.is_empty()).then(|| delegation.to_string()),
        ..Official::default()
    }
}

fn ids(list: Vec<&Official>) -> Vec<&str> {
    list.into_iter().map(|o| o.id.as_str()).collect()
}

fn world() -> (Event, Vec<Delegation>) {
    (
        Event::default(),
        vec![
            // Viet Nam is 베트남, Laos 라오스, the World Bank an organisation.
            delegation("vn", DelegationKind::Country, "Viet Nam", "베트남", 0),
            delegation("la", DelegationKind::Country, "Laos", "라오스", 2),
            delegation(
                "wb",
                DelegationKind::Organization,
                "World Bank",
                "세계은행",
                1,
            ),
        ],
    )
}

#[test]
fn rank_comes_first_then_the_delegations_order() {
    let (event, delegations) = world();
    let ranks = default_ranks();
    let people = [
        official("a", "Anh", "director", "vn"),
        official("b", "Bounmy", "minister", "la"),
        official("c", "Chan", "director", "la"),
        official("d", "Dara", "", "la"),
        official("e", "Eka", "no_such_rank", "vn"),
    ];
    // The minister first; then the two directors by delegation (Laos before Viet Nam); the
    // unranked (none, or a code no longer listed) last.
    assert_eq!(
        ids(order(&event, &delegations, &ranks, &people)),
        ["b", "c", "a", "d", "e"]
    );
}

#[test]
fn delegations_go_alphabetically_in_english_or_korean_or_as_arranged() {
    let (mut event, delegations) = world();
    let ranks = default_ranks();
    let people = [
        official("vn1", "Nguyen", "director", "vn"),
        official("la1", "Phon", "director", "la"),
        official("wb1", "Halvorsen", "director", "wb"),
    ];
    // English: Laos, Viet Nam; organisations after the countries.
    assert_eq!(
        ids(order(&event, &delegations, &ranks, &people)),
        ["la1", "vn1", "wb1"]
    );
    // Korean: 라오스 before 베트남 too, but organisations first puts the World Bank ahead.
    event.delegation_order = DelegationOrder::NameKo;
    event.organizations_first = true;
    assert_eq!(
        ids(order(&event, &delegations, &ranks, &people)),
        ["wb1", "la1", "vn1"]
    );
    // As arranged: Viet Nam (0) before Laos (2).
    event.delegation_order = DelegationOrder::Arranged;
    event.organizations_first = false;
    assert_eq!(
        ids(order(&event, &delegations, &ranks, &people)),
        ["vn1", "la1", "wb1"]
    );
    // 가나다 and English disagree where names do: 베트남 (Viet Nam) before 태국 (Thailand).
    let more = vec![
        delegation("vn", DelegationKind::Country, "Viet Nam", "베트남", 0),
        delegation("th", DelegationKind::Country, "Thailand", "태국", 0),
    ];
    let pair = [
        official("th1", "Jaidee", "director", "th"),
        official("vn1", "Nguyen", "director", "vn"),
    ];
    event.delegation_order = DelegationOrder::NameKo;
    assert_eq!(ids(order(&event, &more, &ranks, &pair)), ["vn1", "th1"]);
    event.delegation_order = DelegationOrder::NameEn;
    assert_eq!(ids(order(&event, &more, &ranks, &pair)), ["th1", "vn1"]);
}

#[test]
fn the_head_of_delegation_leads_equals_and_the_officers_moves_order_the_rest() {
    let (event, mut delegations) = world();
    delegations[0].head_official_id = Some("z".into());
    let ranks = default_ranks();
    let mut people = vec![
        official("a", "Anh", "director", "vn"),
        official("b", "Binh", "director", "vn"),
        official("z", "Zung", "director", "vn"),
    ];
    assert_eq!(
        ids(order(&event, &delegations, &ranks, &people)),
        ["z", "a", "b"]
    );
    people[1].precedence = -1;
    assert_eq!(
        ids(order(&event, &delegations, &ranks, &people)),
        ["z", "b", "a"]
    );
}

#[test]
fn a_move_swaps_equals_only_and_the_list_says_who_can_move() {
    let dir = tempfile::tempdir().expect("dir");
    let store =
        crate::store::Store::open(&dir.path().join("l.sqlite3"), &Unlock::Plaintext).expect("open");
    let event = crate::generate::generate(
        &store,
        crate::generate::Spec {
            officials: 30,
            seed: 5,
            sessions: 2,
            hotels: 1,
        },
    )
    .expect("event");
    // Three officials of one delegation made ministers.
    let mut officials = store
        .read(|c| Official::of_event(c, &event.id))
        .expect("officials");
    officials.retain(|o| o.status != OfficialStatus::Cancelled && o.delegation_id.is_some());
    let d = officials[0].delegation_id.clone();
    let mut same: Vec<Official> = officials.into_iter().take(3).collect();
    assert_eq!(same.len(), 3);
    for o in same.iter_mut() {
        // Read again: the delegation's save touched its members.
        *o = store.get(&o.id).expect("again");
        o.protocol_rank = "minister".into();
        o.delegation_id = d.clone();
        *o = store.save(o.clone()).expect("save");
    }
    let list = store
        .read(|c| precedence(c, &event.id))
        .expect("precedence");
    let top: Vec<&Placed> = list.iter().take(3).collect();
    assert!(top.iter().all(|p| p.rank == "minister"));
    // The delegation's head (the generated event names one) leads and moves with no one.
    assert!(!top[0].can_move_up && !top[0].can_move_down);
    assert!(!top[1].can_move_up && top[1].can_move_down);
    assert!(top[2].can_move_up && !top[2].can_move_down);
    assert!(
        !list[3].can_move_up,
        "no one of the same rank is above the fourth"
    );
    let (second, third) = (top[1].official_id.clone(), top[2].official_id.clone());
    let after = store
        .write(|tx| move_official(tx, &third, true))
        .expect("move");
    assert_eq!(after[1].official_id, third);
    assert_eq!(after[2].official_id, second);
    // Above them is the head: no further up.
    let refused = store.write(|tx| move_official(tx, &third, true));
    assert_eq!(refused.err().map(|e| e.code()), Some("validation"));
}

#[test]
fn the_office_keeps_its_own_list_of_ranks() {
    let dir = tempfile::tempdir().expect("dir");
    let store =
        crate::store::Store::open(&dir.path().join("l.sqlite3"), &Unlock::Plaintext).expect("open");
    assert_eq!(store.read(ranks).expect("ranks"), default_ranks());
    let mine = vec![Rank {
        code: "prime_minister".into(),
        name_en: "Prime Minister".into(),
        name_ko: "국무총리".into(),
    }];
    store.write(|tx| save_ranks(tx, &mine)).expect("save");
    assert_eq!(store.read(ranks).expect("ranks"), mine);
    for bad in [
        vec![Rank {
            code: "Prime Minister".into(),
            name_en: "x".into(),
            name_ko: String::new(),
        }],
        vec![mine[0].clone(), mine[0].clone()],
        vec![Rank {
            code: "pm".into(),
            name_en: " ".into(),
            name_ko: String::new(),
        }],
    ] {
        let err = store.write(|tx| save_ranks(tx, &bad)).expect_err("refused");
        assert_eq!(err.code(), "validation");
    }
    assert_eq!(store.read(ranks).expect("ranks"), mine, "nothing lost");
}
