//! Checks of passports and delegations: missing or expiring passports, quotas, heads of
//! delegation, declined delegations with people still coming.

use super::*;

/// Passports that are missing, without an expiry date, expired by the end of the event, or
/// expiring within six months of it (many countries refuse entry on those).
pub(super) fn passports(ix: &Index<'_>, out: &mut Vec<Problem>) {
    let end = ix.d.event.end_date;
    let six_months = end.checked_add_months(Months::new(6)).unwrap_or(end);
    for o in
        ix.d.officials
            .iter()
            .filter(|o| active(o) && ix.is_foreign(o))
    {
        let records = vec![link("official", &o.id)];
        if o.passport_number.is_empty() {
            out.push(problem(
                Severity::Warning,
                "passport_missing",
                format!(
                    "{} travels from abroad but has no passport number.",
                    name(o)
                ),
                format!("{}님은 해외 참가자인데 여권번호가 없습니다.", name(o)),
                records,
            ));
        } else if let Some(expiry) = o.passport_expiry {
            if expiry <= end {
                // Expiring on the last day is as bad as before it (the flight home is later),
                // but the sentence must not say "before".
                let (when, when_ko) = if expiry == end {
                    ("the event's last day", "행사 마지막 날인")
                } else {
                    ("before the event ends", "행사 종료 전인")
                };
                out.push(problem(
                    Severity::Error,
                    "passport_expired",
                    format!("{}'s passport expires on {expiry}, {when}.", name(o)),
                    format!("{}님의 여권이 {when_ko} {expiry}에 만료됩니다.", name(o)),
                    records,
                ));
            } else if expiry < six_months {
                out.push(problem(
                    Severity::Warning,
                    "passport_expiring",
                    format!(
                        "{}'s passport expires on {expiry}, within six months of the event's end.",
                        name(o)
                    ),
                    format!(
                        "{}님의 여권 만료일({expiry})이 행사 종료 후 6개월 이내입니다.",
                        name(o)
                    ),
                    records,
                ));
            }
        } else {
            // Without the date nobody can tell whether the passport gets its holder in.
            out.push(problem(
                Severity::Warning,
                "passport_expiry_missing",
                format!(
                    "{} travels from abroad but the passport's expiry date is missing.",
                    name(o)
                ),
                format!("{}님은 해외 참가자인데 여권 만료일이 없습니다.", name(o)),
                records,
            ));
        }
    }
}

pub(super) fn delegation_name(d: &Delegation) -> (&str, &str) {
    let ko = if d.name_ko.is_empty() {
        &d.name_en
    } else {
        &d.name_ko
    };
    (&d.name_en, ko)
}

/// Quotas, heads of delegation, and declined delegations that still have people coming.
pub(super) fn delegations(ix: &Index<'_>, out: &mut Vec<Problem>) {
    let mut members: Map<&str, Vec<&Official>> = Map::default();
    for o in &ix.d.officials {
        if let Some(d) = o.delegation_id.as_deref() {
            members.entry(d).or_default().push(o);
        }
    }
    for d in &ix.d.delegations {
        let (en, ko) = delegation_name(d);
        let list = members
            .get(d.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let coming = list.iter().filter(|o| active(o)).count() as i64;
        if d.seats > 0 && coming > d.seats {
            out.push(problem(
                Severity::Warning,
                "delegation_over_quota",
                format!("{en} has {coming} officials for {} seats.", d.seats),
                format!(
                    "{ko} 대표단 인원이 {coming}명으로 배정 좌석 {}석을 넘습니다.",
                    d.seats
                ),
                vec![link("delegation", &d.id)],
            ));
        }
        if d.status == InvitationStatus::Confirmed {
            head_of_delegation(ix, d, out);
        }
        head_marked_twice(d, list, out);
        if matches!(
            d.status,
            InvitationStatus::Declined | InvitationStatus::Withdrawn
        ) {
            let confirmed: Vec<&&Official> = list
                .iter()
                .filter(|o| o.status == OfficialStatus::Confirmed)
                .collect();
            if !confirmed.is_empty() {
                let mut records = vec![link("delegation", &d.id)];
                records.extend(confirmed.iter().map(|o| link("official", &o.id)));
                out.push(problem(
                    Severity::Error,
                    "declined_with_confirmed",
                    format!(
                        "{en} has {} the invitation but {} of its officials are still confirmed.",
                        d.status,
                        confirmed.len()
                    ),
                    format!(
                        "{ko} 대표단은 불참(또는 철회)인데 참석 확정 인원이 {}명 남아 있습니다.",
                        confirmed.len()
                    ),
                    records,
                ));
            }
        }
    }
}

/// The delegation's head field is the truth about who heads it; an official whose category
/// says "Head of delegation" and who is not that head disagrees with it (a list imported with
/// two heads, or data from before saves kept the two in step).
pub(super) fn head_marked_twice(d: &Delegation, members: &[&Official], out: &mut Vec<Problem>) {
    let (en, ko) = delegation_name(d);
    for o in members.iter().filter(|o| {
        active(o)
            && o.category == Category::HeadOfDelegation
            && d.head_official_id.as_deref() != Some(o.id.as_str())
    }) {
        let mut records = vec![link("official", &o.id), link("delegation", &d.id)];
        let (why, why_ko) = match d
            .head_official_id
            .as_deref()
            .and_then(|h| members.iter().find(|m| m.id == h))
        {
            Some(head) => {
                records.push(link("official", &head.id));
                (
                    format!("{en}'s head is {}", name(head)),
                    format!("{ko} 대표단의 수석대표는 {}님입니다", name(head)),
                )
            }
            None => (
                format!("{en} has no head of delegation set"),
                format!("{ko} 대표단에는 수석대표가 지정되어 있지 않습니다"),
            ),
        };
        out.push(problem(
            Severity::Warning,
            "head_of_delegation_disagrees",
            format!(
                "{} is marked Head of delegation, but {why}; save the one who heads it as the delegation's head.",
                name(o)
            ),
            format!(
                "{}님의 구분은 수석대표인데, {why_ko}. 실제 수석대표를 대표단의 수석대표로 지정해 주세요.",
                name(o)
            ),
            records,
        ));
    }
}

/// A confirmed delegation needs a head who is coming and who belongs to it: a head who has
/// cancelled, or who sits in another delegation (picked by mistake, or moved since), leaves
/// it as headless as no head at all.
pub(super) fn head_of_delegation(ix: &Index<'_>, d: &Delegation, out: &mut Vec<Problem>) {
    let (en, ko) = delegation_name(d);
    let Some(head_id) = d.head_official_id.as_deref() else {
        out.push(problem(
            Severity::Warning,
            "no_head_of_delegation",
            format!("{en} is confirmed but has no head of delegation."),
            format!("{ko} 대표단은 참석이 확정되었지만 수석대표가 지정되지 않았습니다."),
            vec![link("delegation", &d.id)],
        ));
        return;
    };
    let records = vec![link("delegation", &d.id), link("official", head_id)];
    let Some(head) = ix.official(head_id) else {
        out.push(problem(
            Severity::Warning,
            "no_head_of_delegation",
            format!("{en} is confirmed but its head of delegation is not among the event's officials."),
            format!("{ko} 대표단은 참석이 확정되었지만 지정된 수석대표가 이 행사의 참가자 명단에 없습니다."),
            vec![link("delegation", &d.id)],
        ));
        return;
    };
    if head.delegation_id.as_deref() != Some(d.id.as_str()) {
        let other = head
            .delegation_id
            .as_deref()
            .and_then(|id| ix.delegations.get(id))
            .map(|x| delegation_name(x));
        let (msg, msg_ko) = match other {
            Some((o_en, o_ko)) => (
                format!(
                    "{en}'s head of delegation, {}, belongs to another delegation ({o_en}).",
                    name(head)
                ),
                format!(
                    "{ko} 대표단의 수석대표 {}님은 다른 대표단({o_ko}) 소속입니다.",
                    name(head)
                ),
            ),
            None => (
                format!(
                    "{en}'s head of delegation, {}, is not in any delegation.",
                    name(head)
                ),
                format!(
                    "{ko} 대표단의 수석대표 {}님은 어느 대표단에도 속해 있지 않습니다.",
                    name(head)
                ),
            ),
        };
        out.push(problem(
            Severity::Warning,
            "no_head_of_delegation",
            msg,
            msg_ko,
            records,
        ));
    } else if !active(head) {
        out.push(problem(
            Severity::Warning,
            "no_head_of_delegation",
            format!(
                "{en} is confirmed but its head of delegation, {}, has cancelled.",
                name(head)
            ),
            format!(
                "{ko} 대표단은 참석이 확정되었지만 수석대표 {}님이 참석을 취소했습니다.",
                name(head)
            ),
            records,
        ));
    }
}
