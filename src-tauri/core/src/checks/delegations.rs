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
                says("passport_missing").with("name", name(o)),
                records,
            ));
        } else if let Some(expiry) = o.passport_expiry {
            if expiry <= end {
                // Expiring on the last day is as bad as before it (the flight home is later),
                // but the sentence must not say "before".
                let text = if expiry == end {
                    Text::new("check-passport_expired-last_day")
                } else {
                    says("passport_expired")
                };
                out.push(problem(
                    Severity::Error,
                    "passport_expired",
                    text.with("name", name(o))
                        .with("expiry", expiry.to_string()),
                    records,
                ));
            } else if expiry < six_months {
                out.push(problem(
                    Severity::Warning,
                    "passport_expiring",
                    says("passport_expiring")
                        .with("name", name(o))
                        .with("expiry", expiry.to_string()),
                    records,
                ));
            }
        } else {
            // Without the date nobody can tell whether the passport gets its holder in.
            out.push(problem(
                Severity::Warning,
                "passport_expiry_missing",
                says("passport_expiry_missing").with("name", name(o)),
                records,
            ));
        }
    }
}

/// A delegation's name in each language (the English one where it has no Korean one).
pub(super) fn delegation_name(d: &Delegation) -> Arg {
    Arg::name(&d.name_en, &d.name_ko)
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
        let list = members
            .get(d.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let coming = list.iter().filter(|o| active(o)).count() as i64;
        if d.seats > 0 && coming > d.seats {
            out.push(problem(
                Severity::Warning,
                "delegation_over_quota",
                says("delegation_over_quota")
                    .with("delegation", delegation_name(d))
                    .with("count", coming)
                    .with("seats", d.seats),
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
                    says("declined_with_confirmed")
                        .with("delegation", delegation_name(d))
                        .with("status", d.status.as_str())
                        .with("count", confirmed.len()),
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
    for o in members.iter().filter(|o| {
        active(o)
            && o.category == Category::HeadOfDelegation
            && d.head_official_id.as_deref() != Some(o.id.as_str())
    }) {
        let mut records = vec![link("official", &o.id), link("delegation", &d.id)];
        let text = match d
            .head_official_id
            .as_deref()
            .and_then(|h| members.iter().find(|m| m.id == h))
        {
            Some(head) => {
                records.push(link("official", &head.id));
                says("head_of_delegation_disagrees").with("head", name(head))
            }
            None => Text::new("check-head_of_delegation_disagrees-no_head"),
        };
        out.push(problem(
            Severity::Warning,
            "head_of_delegation_disagrees",
            text.with("name", name(o))
                .with("delegation", delegation_name(d)),
            records,
        ));
    }
}

/// A confirmed delegation needs a head who is coming and who belongs to it: a head who has
/// cancelled, or who sits in another delegation (picked by mistake, or moved since), leaves
/// it as headless as no head at all.
pub(super) fn head_of_delegation(ix: &Index<'_>, d: &Delegation, out: &mut Vec<Problem>) {
    let delegation = delegation_name(d);
    let Some(head_id) = d.head_official_id.as_deref() else {
        out.push(problem(
            Severity::Warning,
            "no_head_of_delegation",
            says("no_head_of_delegation").with("delegation", delegation),
            vec![link("delegation", &d.id)],
        ));
        return;
    };
    let records = vec![link("delegation", &d.id), link("official", head_id)];
    let Some(head) = ix.official(head_id) else {
        out.push(problem(
            Severity::Warning,
            "no_head_of_delegation",
            Text::new("check-no_head_of_delegation-unknown").with("delegation", delegation),
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
        let text = match other {
            Some(other) => Text::new("check-no_head_of_delegation-elsewhere").with("other", other),
            None => Text::new("check-no_head_of_delegation-none"),
        };
        out.push(problem(
            Severity::Warning,
            "no_head_of_delegation",
            text.with("delegation", delegation).with("head", name(head)),
            records,
        ));
    } else if !active(head) {
        out.push(problem(
            Severity::Warning,
            "no_head_of_delegation",
            Text::new("check-no_head_of_delegation-cancelled")
                .with("delegation", delegation)
                .with("head", name(head)),
            records,
        ));
    }
}
