//! Who hears of a step of a case or a return: the one recipient rule.

/// Public steps are seen by every party; internal ones (notes, assignments) by moderators.
pub use super::complaints::Audience;

/// Public steps reach every party — the buyer, the shop's sellers where the shop is a party,
/// the assigned moderator; internal ones only the assigned moderator. Never the one who took
/// the step. Each recipient once, in a stable order.
pub fn recipients(
    audience: Audience,
    parties: &[String],
    assignee: Option<&str>,
    actor: Option<&str>,
) -> Vec<String> {
    let mut to: Vec<String> = match audience {
        Audience::Public => parties.to_vec(),
        Audience::Internal => Vec::new(),
    };
    to.extend(assignee.map(str::to_string));
    to.retain(|u| Some(u.as_str()) != actor);
    to.sort();
    to.dedup();
    to
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn public_steps_reach_every_party_but_the_actor() {
        let parties = ids(&["buyer", "seller-2", "seller-1"]);
        assert_eq!(
            recipients(Audience::Public, &parties, Some("mod"), Some("seller-1")),
            ids(&["buyer", "mod", "seller-2"])
        );
    }

    #[test]
    fn internal_steps_reach_only_the_assignee() {
        let parties = ids(&["buyer", "seller-1"]);
        assert_eq!(
            recipients(Audience::Internal, &parties, Some("mod"), None),
            ids(&["mod"])
        );
        assert!(recipients(Audience::Internal, &parties, None, None).is_empty());
        assert!(recipients(Audience::Internal, &parties, Some("mod"), Some("mod")).is_empty());
    }

    #[test]
    fn a_party_who_is_also_the_assignee_hears_once() {
        let parties = ids(&["buyer", "mod"]);
        assert_eq!(
            recipients(Audience::Public, &parties, Some("mod"), None),
            ids(&["buyer", "mod"])
        );
    }
}
