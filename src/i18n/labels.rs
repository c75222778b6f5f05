//! The label of every code the API accepts or returns, in the three languages: one source for
//! `GET /catalogues`, the notification texts and the error texts that name a reason or a
//! category. A match per vocabulary, so a new code does not compile without its labels.
use super::Lang;
use crate::domain::catalogues::{AppealStatus, FlagStatus};
use crate::domain::complaints::{
    Action as ComplaintAction, Authority, Category, DesiredResolution, Outcome, RemedyKind,
    Status as ComplaintStatus, Target, Track,
};
use crate::domain::delivery_failures::{Choice, Status as DeliveryFailureStatus};
use crate::domain::orders::OrderStatus;
use crate::domain::returns::{
    Action as ReturnAction, Evidence, Reason, RejectionReason, Status as ReturnStatus,
};
use crate::domain::reviews::{FlagReason, ReviewStatus};

/// A code with a label in every language.
pub trait Labelled: Copy + 'static {
    /// Every value, in the order a picker shows them.
    fn all() -> &'static [Self];
    fn code(self) -> &'static str;
    /// (kk, ru, en)
    fn labels(self) -> [&'static str; 3];
    fn label(self, lang: Lang) -> &'static str {
        let [kk, ru, en] = self.labels();
        lang.pick(kk, ru, en)
    }
}

macro_rules! labelled {
    ($ty:ty, $all:expr, $code:expr, { $($v:path => [$kk:literal, $ru:literal, $en:literal]),* $(,)? }) => {
        impl Labelled for $ty {
            fn all() -> &'static [Self] {
                $all
            }
            fn code(self) -> &'static str {
                $code(self)
            }
            fn labels(self) -> [&'static str; 3] {
                match self { $( $v => [$kk, $ru, $en], )* }
            }
        }
    };
}

labelled!(Category, Category::ALL, Category::as_str, {
    Category::DeliveryDelay => ["Жеткізудің кешігуі", "Задержка доставки", "Late delivery"],
    Category::DamagedInDelivery => ["Жеткізу кезінде бүлінген", "Повреждение при доставке", "Damaged in delivery"],
    Category::CourierMisconduct => ["Курьердің әдепсіз мінез-құлқы", "Некорректное поведение курьера", "Courier misconduct"],
    Category::CourierUnreachable => ["Курьермен байланыс жоқ", "Невозможно связаться с курьером", "Courier unreachable"],
    Category::WrongDelivery => ["Қате жеткізу", "Неправильная доставка", "Wrong delivery"],
    Category::NotAsDescribed => ["Тауар сипаттамаға сәйкес келмейді", "Товар не соответствует описанию", "Not as described"],
    Category::Defective => ["Ақаулы тауар", "Бракованный товар", "Defective item"],
    Category::DeliveryDeadlineMissed => ["Жеткізу мерзімі бұзылды", "Нарушен срок доставки", "Delivery deadline missed"],
    Category::StaffMisconduct => ["Сатушы қызметкерінің әдепсіздігі", "Некорректное поведение сотрудника продавца", "Seller staff misconduct"],
    Category::ReturnRefused => ["Қайтарудан бас тарту", "Отказ в возврате", "Return refused"],
    Category::Fraud => ["Алаяқтық", "Мошенничество", "Fraud"],
    Category::Other => ["Басқа", "Другое", "Other"],
});

labelled!(DesiredResolution, DesiredResolution::ALL, DesiredResolution::as_str, {
    DesiredResolution::Refund => ["Ақшаны қайтару", "Возврат денег", "Refund"],
    DesiredResolution::PartialRefund => ["Ақшаның бір бөлігін қайтару", "Частичный возврат денег", "Partial refund"],
    DesiredResolution::Replacement => ["Тауарды ауыстыру", "Замена товара", "Replacement"],
    DesiredResolution::Redelivery => ["Қайта жеткізу", "Повторная доставка", "Redelivery"],
    DesiredResolution::Compensation => ["Өтемақы", "Компенсация", "Compensation"],
    DesiredResolution::Apology => ["Кешірім сұрау", "Извинения", "Apology"],
    DesiredResolution::Other => ["Басқа", "Другое", "Other"],
});

labelled!(RemedyKind, RemedyKind::ALL, RemedyKind::as_str, {
    RemedyKind::Refund => ["Ақшаны қайтару", "Возврат денег", "Refund"],
    RemedyKind::PartialRefund => ["Ақшаның бір бөлігін қайтару", "Частичный возврат денег", "Partial refund"],
    RemedyKind::Compensation => ["Өтемақы", "Компенсация", "Compensation"],
    RemedyKind::Redelivery => ["Қайта жеткізу", "Повторная доставка", "Redelivery"],
    RemedyKind::Replacement => ["Тауарды ауыстыру", "Замена товара", "Replacement"],
    RemedyKind::None => ["Өтемақысыз", "Без компенсации", "No remedy"],
});

labelled!(Outcome, Outcome::ALL, Outcome::as_str, {
    Outcome::Upheld => ["Қанағаттандырылды", "Удовлетворена", "Upheld"],
    Outcome::PartiallyUpheld => ["Ішінара қанағаттандырылды", "Удовлетворена частично", "Partially upheld"],
    Outcome::Rejected => ["Қабылданбады", "Отклонена", "Rejected"],
});

labelled!(Track, Track::ALL, Track::as_str, {
    Track::Standard => ["Стандартты қарау", "Стандартное рассмотрение", "Standard"],
    Track::Complex => ["Күрделі іс", "Сложный случай", "Complex"],
    Track::Expertise => ["Сараптамамен", "С экспертизой", "With expertise"],
});

labelled!(ComplaintStatus, ComplaintStatus::ALL, ComplaintStatus::as_str, {
    ComplaintStatus::Submitted => ["Жіберілді", "Подана", "Submitted"],
    ComplaintStatus::Acknowledged => ["Қабылданды", "Принята", "Acknowledged"],
    ComplaintStatus::InReview => ["Қаралуда", "На рассмотрении", "In review"],
    ComplaintStatus::AwaitingBuyer => ["Сатып алушының жауабын күтуде", "Ожидает ответа покупателя", "Awaiting the buyer"],
    ComplaintStatus::Resolved => ["Шешім шығарылды", "Решение принято", "Resolved"],
    ComplaintStatus::Closed => ["Жабылды", "Закрыта", "Closed"],
    ComplaintStatus::Withdrawn => ["Кері қайтарылды", "Отозвана", "Withdrawn"],
    ComplaintStatus::Reopened => ["Қайта ашылды", "Открыта повторно", "Reopened"],
});

labelled!(Reason, Reason::ALL, Reason::as_str, {
    Reason::DamagedInDelivery => ["Жеткізу кезінде бүлінген", "Повреждение при доставке", "Damaged in delivery"],
    Reason::Defective => ["Ақаулы тауар", "Бракованный товар", "Defective item"],
    Reason::NotAsDescribed => ["Тауар сипаттамаға сәйкес келмейді", "Товар не соответствует описанию", "Not as described"],
    Reason::WrongItem => ["Басқа тауар келді", "Привезли не тот товар", "Wrong item"],
    Reason::Incomplete => ["Толық жиынтық емес", "Неполная комплектация", "Incomplete"],
    Reason::ChangedMind => ["Ойымнан айныдым", "Передумал", "Changed my mind"],
});

labelled!(RejectionReason, RejectionReason::ALL, RejectionReason::as_str, {
    RejectionReason::SignsOfUse => ["Пайдалану іздері бар", "Есть следы использования", "Signs of use"],
    RejectionReason::DefectNotConfirmed => ["Ақау расталмады", "Брак не подтверждён", "Defect not confirmed"],
    RejectionReason::MatchesDescription => ["Тауар сипаттамаға сәйкес", "Товар соответствует описанию", "Matches the description"],
    RejectionReason::IncompleteReturn => ["Тауар толық қайтарылмады", "Товар возвращён не полностью", "Incomplete return"],
    RejectionReason::InsufficientEvidence => ["Дәлелдер жеткіліксіз", "Недостаточно доказательств", "Insufficient evidence"],
    RejectionReason::Other => ["Басқа", "Другое", "Other"],
});

labelled!(ReturnStatus, ReturnStatus::ALL, ReturnStatus::as_str, {
    ReturnStatus::Requested => ["Өтінім берілді", "Заявка подана", "Requested"],
    ReturnStatus::Approved => ["Мақұлданды", "Одобрен", "Approved"],
    ReturnStatus::Rejected => ["Бас тартылды", "Отклонён", "Rejected"],
    ReturnStatus::PickupScheduled => ["Алып кету жоспарланды", "Забор запланирован", "Pickup scheduled"],
    ReturnStatus::PickedUp => ["Алып кетілді", "Товар забран", "Picked up"],
    ReturnStatus::Refunded => ["Ақша қайтарылды", "Деньги возвращены", "Refunded"],
    ReturnStatus::Cancelled => ["Болдырылмады", "Отменён", "Cancelled"],
});

labelled!(FlagReason, FLAG_REASONS, FlagReason::as_str, {
    FlagReason::FalseInformation => ["Жалған ақпарат", "Недостоверная информация", "False information"],
    FlagReason::OffensiveLanguage => ["Балағат сөздер", "Оскорбительные выражения", "Offensive language"],
    FlagReason::RulesViolation => ["Ережелерді бұзу", "Нарушение правил", "Rules violation"],
    FlagReason::PersonalData => ["Жеке деректер", "Персональные данные", "Personal data"],
    FlagReason::NotFromPurchase => ["Сатып алуға қатысы жоқ", "Отзыв не о покупке", "Not about the purchase"],
});

labelled!(ReviewStatus, REVIEW_STATUSES, ReviewStatus::as_str, {
    ReviewStatus::PendingModeration => ["Модерацияда", "На модерации", "Pending moderation"],
    ReviewStatus::Published => ["Жарияланды", "Опубликован", "Published"],
    ReviewStatus::Rejected => ["Қабылданбады", "Отклонён", "Rejected"],
    ReviewStatus::Removed => ["Жойылды", "Удалён модератором", "Removed"],
    ReviewStatus::Deleted => ["Автор жойды", "Удалён автором", "Deleted by its author"],
});

labelled!(FlagStatus, FlagStatus::ALL, FlagStatus::as_str, {
    FlagStatus::Open => ["Қаралуда", "На рассмотрении", "Open"],
    FlagStatus::Upheld => ["Қанағаттандырылды", "Удовлетворена", "Upheld"],
    FlagStatus::Dismissed => ["Қабылданбады", "Отклонена", "Dismissed"],
});

labelled!(AppealStatus, AppealStatus::ALL, AppealStatus::as_str, {
    AppealStatus::Open => ["Қаралуда", "На рассмотрении", "Open"],
    AppealStatus::Reinstated => ["Пікір қалпына келтірілді", "Отзыв восстановлен", "Review reinstated"],
    AppealStatus::KeptRemoved => ["Пікір жойылған күйде қалды", "Отзыв остался удалённым", "Review kept removed"],
});

labelled!(DeliveryFailureStatus, DeliveryFailureStatus::ALL, DeliveryFailureStatus::as_str, {
    DeliveryFailureStatus::AwaitingChoice => ["Сатып алушының таңдауын күтуде", "Ожидает выбора покупателя", "Awaiting the buyer's choice"],
    DeliveryFailureStatus::RefundPending => ["Ақша қайтарылуда", "Ожидает возврата денег", "Refund pending"],
    DeliveryFailureStatus::Refunded => ["Ақша қайтарылды", "Деньги возвращены", "Refunded"],
    DeliveryFailureStatus::RedeliveryRequested => ["Қайта жеткізу сұралды", "Запрошена повторная доставка", "Redelivery requested"],
});

labelled!(OrderStatus, ORDER_STATUSES, OrderStatus::as_str, {
    OrderStatus::Pending => ["Өңделуде", "В обработке", "Pending"],
    OrderStatus::InTransit => ["Жолда", "В пути", "In transit"],
    OrderStatus::Delivered => ["Жеткізілді", "Доставлен", "Delivered"],
    OrderStatus::ReturnedToSeller => ["Сатушыға қайтарылды", "Возвращён продавцу", "Returned to the seller"],
    OrderStatus::Cancelled => ["Болдырылмады", "Отменён", "Cancelled"],
});

labelled!(Target, Target::ALL, Target::as_str, {
    Target::Courier => ["Курьер", "Курьер", "Courier"],
    Target::Seller => ["Сатушы", "Продавец", "Seller"],
});

labelled!(Authority, Authority::ALL, Authority::as_str, {
    Authority::ETutynushy => ["E-Tutynushy (тұтынушылар құқығын қорғау)", "E-Tutynushy (защита прав потребителей)", "E-Tutynushy (consumer protection)"],
    Authority::Eotinish => ["eOtinish (мемлекеттік органға өтініш)", "eOtinish (обращение в госорган)", "eOtinish (appeal to a state body)"],
    Authority::Court => ["Сот", "Суд", "Court"],
    Authority::Other => ["Басқа", "Другое", "Other"],
});

labelled!(Choice, Choice::ALL, Choice::as_str, {
    Choice::Refund => ["Ақшаны қайтару", "Возврат денег", "Refund"],
    Choice::Redelivery => ["Қайта жеткізу", "Повторная доставка", "Redelivery"],
});

labelled!(Evidence, Evidence::ALL, Evidence::as_str, {
    Evidence::None => ["Дәлел қажет емес", "Доказательства не нужны", "No evidence needed"],
    Evidence::Photo => ["Фото", "Фото", "Photo"],
    Evidence::PhotoOrDocument => ["Фото немесе құжат", "Фото или документ", "Photo or document"],
});

labelled!(ComplaintAction, ComplaintAction::ALL, ComplaintAction::as_str, {
    ComplaintAction::Acknowledge => ["Қабылдау", "Принять в работу", "Acknowledge"],
    ComplaintAction::Respond => ["Жауап беру", "Ответить", "Respond"],
    ComplaintAction::RequestInfo => ["Ақпарат сұрау", "Запросить информацию", "Request information"],
    ComplaintAction::ProvideInfo => ["Ақпарат беру", "Предоставить информацию", "Provide information"],
    ComplaintAction::Assign => ["Тағайындау", "Назначить", "Assign"],
    ComplaintAction::StartReview => ["Қарауды бастау", "Начать рассмотрение", "Start the review"],
    ComplaintAction::ChangeTrack => ["Қарау түрін өзгерту", "Изменить порядок рассмотрения", "Change track"],
    ComplaintAction::Extend => ["Мерзімді ұзарту", "Продлить срок", "Extend the deadline"],
    ComplaintAction::Resolve => ["Шешім шығару", "Вынести решение", "Resolve"],
    ComplaintAction::Accept => ["Шешімді қабылдау", "Согласиться с решением", "Accept the decision"],
    ComplaintAction::Appeal => ["Шешімге шағымдану", "Обжаловать решение", "Appeal"],
    ComplaintAction::Escalate => ["Модераторларға жіберу", "Передать модераторам", "Escalate"],
    ComplaintAction::Withdraw => ["Кері қайтарып алу", "Отозвать", "Withdraw"],
    ComplaintAction::RecordExternalEscalation => ["Сыртқы өтінішті тіркеу", "Указать внешнее обращение", "Record an external escalation"],
    ComplaintAction::PostMessage => ["Хабарлама жазу", "Написать сообщение", "Post a message"],
});

labelled!(ReturnAction, ReturnAction::ALL, ReturnAction::as_str, {
    ReturnAction::Approve => ["Мақұлдау", "Одобрить", "Approve"],
    ReturnAction::Reject => ["Бас тарту", "Отказать", "Reject"],
    ReturnAction::Dispute => ["Дау айту", "Оспорить отказ", "Dispute"],
    ReturnAction::SchedulePickup => ["Алып кетуді жоспарлау", "Назначить забор", "Schedule a pickup"],
    ReturnAction::PickUp => ["Алып кетуді белгілеу", "Отметить забор", "Mark as picked up"],
    ReturnAction::Refund => ["Ақшаны қайтару", "Вернуть деньги", "Refund"],
    ReturnAction::Cancel => ["Болдырмау", "Отменить", "Cancel"],
});

/// Every flag reason. `domain::reviews` has no `ALL` for it; the match keeps this list whole.
const FLAG_REASONS: &[FlagReason] = &[
    FlagReason::FalseInformation,
    FlagReason::OffensiveLanguage,
    FlagReason::RulesViolation,
    FlagReason::PersonalData,
    FlagReason::NotFromPurchase,
];

const REVIEW_STATUSES: &[ReviewStatus] = &[
    ReviewStatus::PendingModeration,
    ReviewStatus::Published,
    ReviewStatus::Rejected,
    ReviewStatus::Removed,
    ReviewStatus::Deleted,
];

const ORDER_STATUSES: &[OrderStatus] = &[
    OrderStatus::Pending,
    OrderStatus::InTransit,
    OrderStatus::Delivered,
    OrderStatus::ReturnedToSeller,
    OrderStatus::Cancelled,
];

/// Fails to compile when a flag reason, a review or an order status is added without joining
/// the lists above (the other vocabularies have their own `ALL`).
#[allow(dead_code)]
fn lists_are_whole(r: FlagReason, s: ReviewStatus, o: OrderStatus) -> usize {
    let a = match r {
        FlagReason::FalseInformation
        | FlagReason::OffensiveLanguage
        | FlagReason::RulesViolation
        | FlagReason::PersonalData
        | FlagReason::NotFromPurchase => FLAG_REASONS.len(),
    };
    let b = match s {
        ReviewStatus::PendingModeration
        | ReviewStatus::Published
        | ReviewStatus::Rejected
        | ReviewStatus::Removed
        | ReviewStatus::Deleted => REVIEW_STATUSES.len(),
    };
    let c = match o {
        OrderStatus::Pending
        | OrderStatus::InTransit
        | OrderStatus::Delivered
        | OrderStatus::ReturnedToSeller
        | OrderStatus::Cancelled => ORDER_STATUSES.len(),
    };
    a + b + c
}

/// The label of a code of `T`, or the code itself when it is none of them (a stored value of
/// an older vocabulary).
pub fn label_of<T: Labelled>(code: &str, lang: Lang) -> std::borrow::Cow<'static, str> {
    T::all()
        .iter()
        .find(|v| v.code() == code)
        .map(|v| std::borrow::Cow::Borrowed(v.label(lang)))
        .unwrap_or_else(|| std::borrow::Cow::Owned(code.to_string()))
}

/// Labels joined as a list in a sentence (`a, b and c` in each language).
pub fn join_labels(labels: &[&str], lang: Lang) -> String {
    match labels {
        [] => String::new(),
        [one] => one.to_string(),
        [head @ .., last] => {
            let and = lang.pick(" және ", " и ", " and ");
            format!("{}{and}{last}", head.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Every value of a vocabulary: a code of its own, a label in each language, and labels
    /// that differ between the vocabulary's values in each language.
    fn check<T: Labelled + std::fmt::Debug>(parse: impl Fn(&str) -> Option<T>) -> usize {
        for lang in Lang::ALL {
            let mut seen = HashSet::new();
            for v in T::all() {
                let label = v.label(lang);
                assert!(!label.trim().is_empty(), "{v:?} has no {lang:?} label");
                assert!(seen.insert(label), "{v:?}: {lang:?} label {label:?} twice");
            }
        }
        for v in T::all() {
            assert!(parse(v.code()).is_some(), "{v:?}");
            let [kk, ru, en] = v.labels();
            // Kazakh and Russian are written in Cyrillic; English is not.
            assert!(
                kk.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c)),
                "{v:?} kk"
            );
            assert!(
                ru.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c)),
                "{v:?} ru"
            );
            assert!(en.is_ascii(), "{v:?} en");
        }
        T::all().len()
    }

    #[test]
    fn every_code_has_a_label_in_every_language() {
        assert_eq!(check::<Category>(Category::parse), Category::ALL.len());
        check::<DesiredResolution>(DesiredResolution::parse);
        check::<RemedyKind>(RemedyKind::parse);
        check::<Outcome>(Outcome::parse);
        check::<Track>(Track::parse);
        check::<ComplaintStatus>(ComplaintStatus::parse);
        check::<Reason>(Reason::parse);
        check::<RejectionReason>(RejectionReason::parse);
        check::<ReturnStatus>(ReturnStatus::parse);
        assert_eq!(check::<FlagReason>(FlagReason::parse), 5);
        assert_eq!(check::<ReviewStatus>(ReviewStatus::parse), 5);
        check::<FlagStatus>(FlagStatus::parse);
        check::<AppealStatus>(AppealStatus::parse);
        check::<DeliveryFailureStatus>(DeliveryFailureStatus::parse);
        assert_eq!(check::<OrderStatus>(OrderStatus::parse), 5);
        check::<Target>(Target::parse);
        check::<Authority>(Authority::parse);
        check::<Choice>(Choice::parse);
        check::<Evidence>(Evidence::parse);
        check::<ComplaintAction>(ComplaintAction::parse);
        check::<ReturnAction>(ReturnAction::parse);
    }

    #[test]
    fn unknown_codes_read_as_themselves_and_lists_join() {
        assert_eq!(label_of::<Reason>("changed_mind", Lang::Ru), "Передумал");
        assert_eq!(label_of::<Reason>("no_such", Lang::En), "no_such");
        assert_eq!(join_labels(&["a", "b", "c"], Lang::En), "a, b and c");
        assert_eq!(join_labels(&["a"], Lang::Ru), "a");
    }
}
