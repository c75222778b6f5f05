//! Notification titles and bodies in the three languages, and the list of every kind.
use super::*;
use crate::policy::Policy;

/// Title and body of an in-app notification, rendered when it is read, in the reader's
/// language, with the numbers of `policy` (the body's `{section.field}` placeholders).
pub fn notification_text(kind: &str, lang: Lang, policy: &Policy) -> (&'static str, String) {
    let (title, body) = notification_template(kind, lang);
    (title, fill(body, lang, policy))
}

/// The texts as written: bodies name policy figures by placeholder, never by value.
fn notification_template(kind: &str, lang: Lang) -> (&'static str, &'static str) {
    match kind {
        "order_delivered" => (
            lang.pick("Тапсырыс жеткізілді", "Заказ доставлен", "Order delivered"),
            lang.pick(
                "Тапсырысыңыз жеткізілді. Пікір қалдыруға немесе қайтаруды рәсімдеуге болады.",
                "Ваш заказ доставлен. Можно оставить отзыв или оформить возврат.",
                "Your order has been delivered. You can now review it or request a return.",
            ),
        ),
        "order_returned_to_seller" => (
            lang.pick(
                "Тапсырысты жеткізу сәтсіз аяқталды",
                "Доставка заказа не удалась",
                "Delivery of your order failed",
            ),
            lang.pick(
                "Жеткізудің сәтсіз әрекеттері: {returns.failed_attempts_before_return:n}. Ақшаны қайтаруды немесе қайта жеткізуді таңдаңыз.",
                "Неудачных попыток доставки: {returns.failed_attempts_before_return:n}. Выберите возврат денег или повторную доставку.",
                "Failed delivery attempts: {returns.failed_attempts_before_return:n}. Choose a refund or a redelivery.",
            ),
        ),
        "review_published" => (
            lang.pick("Пікір жарияланды", "Отзыв опубликован", "Review published"),
            lang.pick("Пікіріңіз жарияланды. Рахмет!", "Ваш отзыв опубликован. Спасибо!", "Your review is published. Thank you!"),
        ),
        "review_held" => (
            lang.pick("Пікір тексерілуде", "Отзыв на проверке", "Review under moderation"),
            lang.pick(
                "Пікіріңізді модератор {reviews.moderation_sla_business_days:gen} ішінде тексереді.",
                "Ваш отзыв проверит модератор в течение {reviews.moderation_sla_business_days:gen}.",
                "A moderator will check your review within {reviews.moderation_sla_business_days:gen}.",
            ),
        ),
        "review_rejected" => (
            lang.pick("Пікір қабылданбады", "Отзыв отклонён", "Review rejected"),
            lang.pick(
                "Пікіріңіз ережелерге сәйкес келмейді. Себебін қарап, {reviews.appeal_window_days:gen} ішінде шағымдана аласыз.",
                "Ваш отзыв не прошёл модерацию. Причина указана в отзыве; обжаловать можно в течение {reviews.appeal_window_days:gen}.",
                "Your review did not pass moderation. See the reason; you may appeal within {reviews.appeal_window_days:gen}.",
            ),
        ),
        "review_removed" => (
            lang.pick("Пікір жойылды", "Отзыв удалён", "Review removed"),
            lang.pick(
                "Модератор пікіріңізді жойды. Себебін қарап, {reviews.appeal_window_days:gen} ішінде шағымдана аласыз.",
                "Модератор удалил ваш отзыв. Причина указана в отзыве; обжаловать можно в течение {reviews.appeal_window_days:gen}.",
                "A moderator removed your review. See the reason; you may appeal within {reviews.appeal_window_days:gen}.",
            ),
        ),
        "review_new" => (
            lang.pick("Жаңа пікір", "Новый отзыв", "New review"),
            lang.pick("Дүкеніңізге жаңа пікір келді.", "О вашем магазине оставлен новый отзыв.", "Your shop has a new review."),
        ),
        "shop_review_published" => (
            lang.pick("Пікір жарияланды", "Отзыв опубликован", "Review now public"),
            lang.pick(
                "Дүкеніңіз туралы пікір жарияланды. Теріс пікірге {reviews.reply_target_hours:gen} ішінде жауап беріңіз.",
                "Отзыв о вашем магазине опубликован. На негативный отзыв ответьте в течение {reviews.reply_target_hours:gen}.",
                "A review of your shop is now public. Reply to a negative one within {reviews.reply_target_hours:gen}.",
            ),
        ),
        "shop_review_edited" => (
            lang.pick("Пікір өзгертілді", "Отзыв изменён", "Review edited"),
            lang.pick(
                "Сатып алушы дүкеніңіз туралы пікірді өзгертті.",
                "Покупатель изменил отзыв о вашем магазине.",
                "A buyer edited a review of your shop.",
            ),
        ),
        "shop_review_reinstated" => (
            lang.pick("Пікір қалпына келтірілді", "Отзыв восстановлен", "Review reinstated"),
            lang.pick(
                "Шағымнан кейін пікір қайта жарияланды.",
                "После апелляции отзыв о вашем магазине снова опубликован.",
                "After an appeal a review of your shop is public again.",
            ),
        ),
        "review_hidden" => (
            lang.pick("Пікір жасырылды", "Отзыв скрыт", "Review hidden"),
            lang.pick(
                "Пікіріңізде жеке деректер бар деген шағым түсті: модератор шешкенше ол жасырылды.",
                "На ваш отзыв пожаловались из-за персональных данных: он скрыт до решения модератора.",
                "Your review was reported for personal data: it is hidden until a moderator decides.",
            ),
        ),
        "review_restored" => (
            lang.pick("Пікір қайта көрсетілді", "Отзыв снова виден", "Review shown again"),
            lang.pick(
                "Модератор шағымды қабылдамады: пікіріңіз қайта көрсетіледі.",
                "Модератор отклонил жалобу: ваш отзыв снова виден.",
                "A moderator dismissed the report: your review is shown again.",
            ),
        ),
        "review_reply" => (
            lang.pick("Сатушы жауап берді", "Продавец ответил", "The seller replied"),
            lang.pick("Сатушы пікіріңізге жауап берді.", "Продавец ответил на ваш отзыв.", "The seller replied to your review."),
        ),
        "flag_upheld" => (
            lang.pick("Шағым қанағаттандырылды", "Жалоба удовлетворена", "Flag upheld"),
            lang.pick("Пікір ережелерді бұзғандықтан жойылды.", "Отзыв нарушал правила и удалён.", "The review broke the rules and was removed."),
        ),
        "flag_dismissed" => (
            lang.pick("Шағым қабылданбады", "Жалоба отклонена", "Flag dismissed"),
            lang.pick(
                "Пікір ережелерді бұзбайды, сондықтан орнында қалады.",
                "Отзыв не нарушает правил и остаётся опубликованным.",
                "The review breaks no rule and stays published.",
            ),
        ),
        "appeal_reinstated" => (
            lang.pick("Пікір қалпына келтірілді", "Отзыв восстановлен", "Review reinstated"),
            lang.pick("Апелляцияңыз қанағаттандырылды.", "Ваша апелляция удовлетворена.", "Your appeal was upheld."),
        ),
        "appeal_kept_removed" => (
            lang.pick("Апелляция қабылданбады", "Апелляция отклонена", "Appeal rejected"),
            lang.pick("Пікір жойылған күйінде қалады.", "Отзыв остаётся удалённым.", "The review stays removed."),
        ),
        "shop_rating_critical" => (
            lang.pick("Дүкен рейтингі төмен", "Рейтинг магазина критический", "Shop rating critical"),
            lang.pick(
                "Соңғы {reviews.rating_period_days:n} күндегі орташа баға {reviews.critical_shop_rating}-ден төмен түсті.",
                "Средняя оценка магазина за {reviews.rating_period_days} опустилась ниже {reviews.critical_shop_rating}.",
                "The shop's average rating over {reviews.rating_period_days} fell below {reviews.critical_shop_rating}.",
            ),
        ),
        "complaint_filed" => (
            lang.pick("Жаңа шағым", "Новая жалоба", "New complaint"),
            lang.pick(
                "Дүкеніңізге шағым түсті. {complaints.seller_response_hours:gen} ішінде жауап беріңіз.",
                "На ваш магазин подана жалоба. Ответьте в течение {complaints.seller_response_hours:gen}.",
                "A complaint was filed against your shop. Respond within {complaints.seller_response_hours:gen}.",
            ),
        ),
        "complaint_acknowledged" => (
            lang.pick("Шағым қабылданды", "Жалоба принята", "Complaint acknowledged"),
            lang.pick(
                "Шағымыңыз қабылданып, қаралуда.",
                "Ваша жалоба принята к рассмотрению.",
                "Your complaint has been acknowledged and is under review.",
            ),
        ),
        "complaint_seller_responded" => (
            lang.pick("Сатушы жауап берді", "Продавец ответил", "The seller responded"),
            lang.pick(
                "Сатушы шағымыңызға жауап берді.",
                "Продавец ответил на вашу жалобу.",
                "The seller responded to your complaint.",
            ),
        ),
        "complaint_info_requested" => (
            lang.pick("Қосымша ақпарат қажет", "Нужна дополнительная информация", "More information needed"),
            lang.pick(
                "Шағым бойынша сұраққа жауап беріңіз; жауап келгенше мерзім тоқтатылады.",
                "Ответьте на вопрос по жалобе; до ответа срок рассмотрения приостановлен.",
                "Please answer the question on your complaint; the resolution clock is paused until you do.",
            ),
        ),
        "complaint_info_provided" => (
            lang.pick("Ақпарат берілді", "Информация предоставлена", "Information provided"),
            lang.pick(
                "Сатып алушы сұралған ақпаратты берді.",
                "Покупатель предоставил запрошенную информацию.",
                "The buyer provided the requested information.",
            ),
        ),
        "complaint_assigned" => (
            lang.pick("Шағым тағайындалды", "Жалоба назначена", "Complaint assigned"),
            lang.pick(
                "Сізге шағым тағайындалды.",
                "Вам назначена жалоба.",
                "A complaint was assigned to you.",
            ),
        ),
        "complaint_track_changed" => (
            lang.pick("Қарау мерзімі өзгерді", "Срок рассмотрения изменён", "Review track changed"),
            lang.pick(
                "Шағымды қарау түрі мен мерзімі өзгерді.",
                "Изменён порядок и срок рассмотрения жалобы.",
                "The complaint's review track and due date changed.",
            ),
        ),
        "complaint_extended" => (
            lang.pick("Мерзім ұзартылды", "Срок продлён", "Deadline extended"),
            lang.pick(
                "Шағымды қарау мерзімі ұзартылды; себебі мен жаңа күні шағымда көрсетілген.",
                "Срок рассмотрения жалобы продлён; причина и новая дата указаны в жалобе.",
                "The complaint's deadline was extended; the reason and new date are on the case.",
            ),
        ),
        "complaint_resolved" => (
            lang.pick("Шағым бойынша шешім", "Решение по жалобе", "Complaint resolved"),
            lang.pick(
                "Шешім қабылданды. Келісуге немесе {complaints.appeal_window_days:gen} ішінде шағымдануға болады.",
                "Принято решение. Вы можете согласиться или обжаловать его в течение {complaints.appeal_window_days:gen}.",
                "A decision was made. You may accept it or appeal within {complaints.appeal_window_days:gen}.",
            ),
        ),
        "complaint_accepted" => (
            lang.pick("Шешім қабылданды", "Решение принято покупателем", "Decision accepted"),
            lang.pick(
                "Сатып алушы шешіммен келісті; іс жабылды.",
                "Покупатель согласился с решением; дело закрыто.",
                "The buyer accepted the decision; the case is closed.",
            ),
        ),
        "complaint_appealed" => (
            lang.pick("Шешімге шағым берілді", "Решение обжаловано", "Decision appealed"),
            lang.pick(
                "Сатып алушы шешімге шағым берді; іс қайта ашылды.",
                "Покупатель обжаловал решение; дело открыто повторно.",
                "The buyer appealed the decision; the case is reopened.",
            ),
        ),
        "complaint_escalated" => (
            lang.pick("Шағым модераторларға жіберілді", "Жалоба передана модераторам", "Complaint escalated"),
            lang.pick(
                "Шағым платформа модераторларына жіберілді.",
                "Жалоба передана модераторам платформы.",
                "The complaint was escalated to the platform's moderators.",
            ),
        ),
        "complaint_withdrawn" => (
            lang.pick("Шағым қайтарып алынды", "Жалоба отозвана", "Complaint withdrawn"),
            lang.pick(
                "Сатып алушы шағымды қайтарып алды.",
                "Покупатель отозвал жалобу.",
                "The buyer withdrew the complaint.",
            ),
        ),
        "complaint_external_escalation" => (
            lang.pick("Сыртқы органға жүгіну", "Обращение во внешний орган", "External escalation"),
            lang.pick(
                "Сатып алушы шағым бойынша сыртқы органға жүгінгенін тіркеді.",
                "Покупатель зарегистрировал обращение по жалобе во внешний орган.",
                "The buyer recorded an escalation of the complaint to an outside authority.",
            ),
        ),
        "complaint_message" => (
            lang.pick("Шағым бойынша жаңа хабарлама", "Новое сообщение по жалобе", "New message on a complaint"),
            lang.pick(
                "Шағым бойынша жаңа хабарлама келді.",
                "По жалобе пришло новое сообщение.",
                "There is a new message on a complaint.",
            ),
        ),
        "complaint_sla_breached" => (
            lang.pick("Мерзім бұзылды", "Нарушен срок", "Deadline missed"),
            lang.pick(
                "Шағым бойынша мерзім өтіп кетті; бұл тіркелді.",
                "По жалобе пропущен срок; нарушение зафиксировано.",
                "A deadline on the complaint was missed; the breach is recorded.",
            ),
        ),
        "complaint_closed" => (
            lang.pick("Шағым жабылды", "Жалоба закрыта", "Complaint closed"),
            lang.pick(
                "Шешімге {complaints.appeal_window_days:gen} ішінде шағым берілмеді; іс жабылды.",
                "Решение не обжаловано в течение {complaints.appeal_window_days:gen}; дело закрыто.",
                "The decision was not appealed within {complaints.appeal_window_days:gen}; the case is closed.",
            ),
        ),
        "return_requested" => (
            lang.pick("Қайтаруға өтініш", "Заявка на возврат", "Return requested"),
            lang.pick(
                "Сатып алушы қайтаруды сұрады. {returns.seller_decision_business_days:gen} ішінде шешім қабылдаңыз.",
                "Покупатель оформил возврат. Примите решение в течение {returns.seller_decision_business_days:gen}.",
                "A buyer requested a return. Decide within {returns.seller_decision_business_days:gen}.",
            ),
        ),
        "return_approved" => (
            lang.pick("Қайтару мақұлданды", "Возврат одобрен", "Return approved"),
            lang.pick(
                "Қайтару мақұлданды; курьер тауарды алып кетеді.",
                "Возврат одобрен; курьер заберёт товар.",
                "The return is approved; a courier will collect the items.",
            ),
        ),
        "return_rejected" => (
            lang.pick("Қайтарудан бас тартылды", "В возврате отказано", "Return rejected"),
            lang.pick(
                "Сатушы қайтарудан бас тартты. {returns.dispute_window_days:gen} ішінде дау айтуға болады.",
                "Продавец отказал в возврате. Оспорить отказ можно в течение {returns.dispute_window_days:gen}.",
                "The seller rejected the return. You may dispute it within {returns.dispute_window_days:gen}.",
            ),
        ),
        "return_disputed" => (
            lang.pick("Бас тартуға дау айтылды", "Отказ оспорен", "Rejection disputed"),
            lang.pick(
                "Сатып алушы бас тартуға дау айтты; шағым модераторларға жіберілді.",
                "Покупатель оспорил отказ; жалоба передана модераторам.",
                "The buyer disputed the rejection; a complaint went to the moderators.",
            ),
        ),
        "return_escalated" => (
            lang.pick("Қайтару модераторларға берілді", "Возврат передан модераторам", "Return escalated"),
            lang.pick(
                "Сатушы {returns.seller_decision_business_days:gen} ішінде шешім қабылдамады; қайтаруды модераторлар қарайды.",
                "Продавец не принял решение за {returns.seller_decision_business_days}; возврат рассмотрят модераторы.",
                "The seller did not decide within {returns.seller_decision_business_days:gen}; moderators will decide.",
            ),
        ),
        "return_pickup_scheduled" => (
            lang.pick("Тауарды алып кету жоспарланды", "Забор товара назначен", "Pickup scheduled"),
            lang.pick(
                "Курьер тауарды көрсетілген уақытта алып кетеді.",
                "Курьер заберёт товар в назначенное время.",
                "A courier will collect the items at the scheduled time.",
            ),
        ),
        "return_picked_up" => (
            lang.pick("Тауар алынды", "Товар забран", "Items picked up"),
            lang.pick(
                "Курьер тауарды алды; ақша {returns.refund_due_hours:gen} ішінде қайтарылуы керек.",
                "Курьер забрал товар; деньги должны вернуться в течение {returns.refund_due_hours:gen}.",
                "The courier collected the items; the refund is due within {returns.refund_due_hours:gen}.",
            ),
        ),
        "return_refunded" => (
            lang.pick("Ақша қайтарылды", "Деньги возвращены", "Refunded"),
            lang.pick(
                "Қайтару бойынша ақша қайтарылды.",
                "Деньги по возврату перечислены.",
                "The return has been refunded.",
            ),
        ),
        "return_cancelled" => (
            lang.pick("Қайтару тоқтатылды", "Возврат отменён", "Return cancelled"),
            lang.pick(
                "Сатып алушы қайтаруды тоқтатты.",
                "Покупатель отменил возврат.",
                "The buyer cancelled the return.",
            ),
        ),
        "return_sla_breached" => (
            lang.pick("Қайтару мерзімі бұзылды", "Нарушен срок по возврату", "Return deadline missed"),
            lang.pick(
                "Қайтару бойынша мерзім өтіп кетті; бұл тіркелді.",
                "По возврату пропущен срок; нарушение зафиксировано.",
                "A deadline on the return was missed; the breach is recorded.",
            ),
        ),
        "return_overturned" => (
            lang.pick("Бас тарту жойылды", "Отказ отменён", "Rejection overturned"),
            lang.pick(
                "Модератор дауды қанағаттандырды: қайтару мақұлданды.",
                "Модератор удовлетворил спор: возврат одобрен.",
                "A moderator upheld the dispute: the return is approved.",
            ),
        ),
        "delivery_failure_refund" => (
            lang.pick("Сатып алушы ақшаны қайтаруды таңдады", "Покупатель выбрал возврат денег", "Buyer chose a refund"),
            lang.pick(
                "Жеткізілмеген тапсырыс бойынша ақшаны {returns.failed_delivery_refund_due_hours:gen} ішінде қайтарыңыз.",
                "Верните деньги за недоставленный заказ в течение {returns.failed_delivery_refund_due_hours:gen}.",
                "Refund the undelivered order within {returns.failed_delivery_refund_due_hours:gen}.",
            ),
        ),
        "delivery_failure_redelivery" => (
            lang.pick("Сатып алушы қайта жеткізуді таңдады", "Покупатель выбрал повторную доставку", "Buyer chose a redelivery"),
            lang.pick(
                "Тапсырысты қайта жеткізуді ұйымдастырыңыз.",
                "Организуйте повторную доставку заказа.",
                "Arrange a new delivery of the order.",
            ),
        ),
        "delivery_failure_refunded" => (
            lang.pick("Ақша қайтарылды", "Деньги возвращены", "Refunded"),
            lang.pick(
                "Жеткізілмеген тапсырыс үшін ақша қайтарылды.",
                "Деньги за недоставленный заказ возвращены.",
                "The undelivered order has been refunded.",
            ),
        ),
        "delivery_failure_sla_breached" => (
            lang.pick("Ақшаны қайтару кешікті", "Возврат денег просрочен", "Refund overdue"),
            lang.pick(
                "Жеткізілмеген тапсырыс үшін ақша {returns.failed_delivery_refund_due_hours:gen} ішінде қайтарылмады; бұл тіркелді.",
                "Деньги за недоставленный заказ не вернули за {returns.failed_delivery_refund_due_hours}; нарушение зафиксировано.",
                "The refund for the undelivered order was not made within {returns.failed_delivery_refund_due_hours:gen}; the breach is recorded.",
            ),
        ),
        "order_message" => (
            lang.pick("Жаңа хабарлама", "Новое сообщение", "New message"),
            lang.pick(
                "Тапсырыс бойынша жаңа хабарлама келді.",
                "По заказу пришло новое сообщение.",
                "A new message arrived about an order.",
            ),
        ),
        "order_message_unanswered" => (
            lang.pick("Сатып алушы жауап күтуде", "Покупатель ждёт ответа", "Buyer awaiting a reply"),
            lang.pick(
                "Сатып алушының хабарламасына жауап берілмеді (мақсат {messages.seller_first_reply_target_hours}, ең көбі {messages.seller_first_reply_max_hours}).",
                "Сообщение покупателя осталось без ответа (цель — {messages.seller_first_reply_target_hours}, предел — {messages.seller_first_reply_max_hours}).",
                "A buyer's message is unanswered (target {messages.seller_first_reply_target_hours}, limit {messages.seller_first_reply_max_hours}).",
            ),
        ),
        "webhook_disabled" => (
            lang.pick("Вебхук өшірілді", "Вебхук отключён", "Webhook disabled"),
            lang.pick(
                "Қабылдаушы 410 деп жауап берді немесе {webhooks.disable_after_failing_days} бойы қолжетімсіз болды. URL-ді тексеріп, вебхукты қайта қосыңыз.",
                "Получатель ответил 410 или был недоступен {webhooks.disable_after_failing_days}. Проверьте URL и включите вебхук снова.",
                "The receiver answered 410 or failed for {webhooks.disable_after_failing_days}. Check the URL and enable the webhook again.",
            ),
        ),
        _ => (
            lang.pick("Хабарландыру", "Уведомление", "Notification"),
            lang.pick(
                "Сізге жаңа хабарландыру бар.",
                "У вас новое уведомление.",
                "You have a new notification.",
            ),
        ),
    }
}

/// Every notification kind the service emits; a test checks each has its own texts.
pub const NOTIFICATION_KINDS: [&str; 53] = [
    "order_delivered",
    "order_returned_to_seller",
    "review_published",
    "review_held",
    "review_rejected",
    "review_removed",
    "review_new",
    "review_reply",
    "shop_review_published",
    "shop_review_edited",
    "shop_review_reinstated",
    "review_hidden",
    "review_restored",
    "flag_upheld",
    "flag_dismissed",
    "appeal_reinstated",
    "appeal_kept_removed",
    "shop_rating_critical",
    "complaint_filed",
    "complaint_acknowledged",
    "complaint_seller_responded",
    "complaint_info_requested",
    "complaint_info_provided",
    "complaint_assigned",
    "complaint_track_changed",
    "complaint_extended",
    "complaint_resolved",
    "complaint_accepted",
    "complaint_appealed",
    "complaint_escalated",
    "complaint_withdrawn",
    "complaint_external_escalation",
    "complaint_message",
    "complaint_sla_breached",
    "complaint_closed",
    "return_requested",
    "return_approved",
    "return_rejected",
    "return_disputed",
    "return_escalated",
    "return_pickup_scheduled",
    "return_picked_up",
    "return_refunded",
    "return_cancelled",
    "return_sla_breached",
    "return_overturned",
    "delivery_failure_refund",
    "delivery_failure_redelivery",
    "delivery_failure_refunded",
    "delivery_failure_sla_breached",
    "order_message",
    "order_message_unanswered",
    "webhook_disabled",
];

/// Title and body of a notification with what its data names — a flag reason, a rejection
/// reason, a complaint category — in the catalogue's labels (`GET /catalogues`), so the feed
/// and the pickers say the same words.
pub fn notification_text_with(
    kind: &str,
    data: &serde_json::Value,
    lang: Lang,
    policy: &Policy,
) -> (&'static str, String) {
    use crate::domain::complaints::Category;
    use crate::domain::returns::RejectionReason;
    use crate::domain::reviews::FlagReason;
    let (title, mut body) = notification_text(kind, lang, policy);
    let text = |key: &str| data.get(key).and_then(|v| v.as_str());
    // Only codes of the vocabulary are named; anything else (a moderator's free-form code,
    // `seller_silence`) leaves the body as it is.
    let reason = text("reason")
        .and_then(FlagReason::parse)
        .map(|r| r.label(lang))
        .or_else(|| {
            text("reason_code")
                .and_then(RejectionReason::parse)
                .map(|r| r.label(lang))
        });
    let category = text("category")
        .and_then(Category::parse)
        .map(|c| c.label(lang));
    if let Some(label) = reason {
        body.push(' ');
        body.push_str(lang.pick("Себебі: ", "Причина: ", "Reason: "));
        body.push_str(label);
        body.push('.');
    }
    if let Some(label) = category {
        body.push(' ');
        body.push_str(lang.pick("Санаты: ", "Категория: ", "Category: "));
        body.push_str(label);
        body.push('.');
    }
    (title, body)
}
