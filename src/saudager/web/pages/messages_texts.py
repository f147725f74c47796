"""The texts of the messages pages (``messages.py``, ``messages_setup.py``), in Russian and
English. The figures' definitions follow ``docs/messaging.md`` §8 word for word in meaning."""

from __future__ import annotations

from saudager.web.i18n import register

register(
    {
        "nav.messages": ("Сообщения", "Messages"),
        "messages.title": ("Сообщения покупателям", "Messages to buyers"),
        "messages.sections": ("Разделы сообщений", "Messages sections"),
        "messages.tab.outbox": ("Исходящие", "Outbox"),
        "messages.tab.inbox": ("Ответы покупателей", "Buyers' replies"),
        "messages.tab.stats": ("Статистика", "Statistics"),
        "messages.tab.setup": ("Управление", "Controls"),
        "messages.tab.templates": ("Шаблоны", "Templates"),
        "messages.on": ("Сообщения отправляются.", "Messages are on."),
        "messages.paused": (
            "Сообщения остановлены с {at}: {reason}. Ничего не уходит покупателям.",
            "Messages are paused since {at}: {reason}. Nothing goes out to buyers.",
        ),
        "messages.phone_masked": (
            "Номера телефонов скрыты: видны первые и последние цифры.",
            "Phone numbers are masked: only the first and last digits show.",
        ),
        "messages.viewer_note": (
            "Изменять могут менеджер и владелец магазина.",
            "Managers and owners of the shop may change this.",
        ),
        # ---- outbox
        "messages.outbox.intro": (
            "Каждое сообщение, поставленное в очередь: кому, по какому заказу, в каком "
            "состоянии и что ответил WhatsApp. Время — местное время магазина.",
            "Every message queued: to whom, for which order, its state and what WhatsApp "
            "said. Times are the shop's local time.",
        ),
        "messages.outbox.filter": (
            "Заказ, шаблон, телефон или ошибка",
            "Order, template, phone or error",
        ),
        "messages.outbox.all": ("Все", "All"),
        "messages.outbox.none": ("Сообщений пока нет.", "No messages yet."),
        "messages.col.order": ("Заказ", "Order"),
        "messages.col.kind": ("Сообщение", "Message"),
        "messages.col.template": ("Шаблон", "Template"),
        "messages.col.phone": ("Телефон", "Phone"),
        "messages.col.state": ("Состояние", "State"),
        "messages.col.delivery": ("Доставка", "Delivery"),
        "messages.col.attempts": ("Попыток", "Attempts"),
        "messages.col.due": ("Отправить в", "Due"),
        "messages.col.created": ("Создано", "Created"),
        "messages.col.error": ("Последняя ошибка", "Last error"),
        "messages.kind.message_1": ("№ 1 (заказ принят)", "No. 1 (order received)"),
        "messages.kind.message_2": ("№ 2 (после доставки)", "No. 2 (after delivery)"),
        "messages.state.queued": ("в очереди", "queued"),
        "messages.state.claimed": ("отправляется", "being sent"),
        "messages.state.sent": ("отправлено", "sent"),
        "messages.state.failed": ("ошибка", "failed"),
        "messages.state.unknown": ("неизвестно", "unknown"),
        "messages.state.cancelled": ("отменено", "cancelled"),
        "messages.delivery.sent": ("принято WhatsApp", "accepted by WhatsApp"),
        "messages.delivery.delivered": ("доставлено", "delivered"),
        "messages.delivery.read": ("прочитано", "read"),
        "messages.delivery.failed": ("не доставлено", "not delivered"),
        # ---- inbox
        "messages.inbox.intro": (
            "Что покупатели написали в ответ, с заказом, к которому относится ответ. Жалобы, "
            "ждущие ответа, — первыми.",
            "What buyers wrote back, with the order the reply is about. Complaints waiting "
            "for an answer come first.",
        ),
        "messages.inbox.filter": ("Текст, заказ или телефон", "Text, order or phone"),
        "messages.inbox.waiting_only": ("Только ждущие", "Waiting only"),
        "messages.inbox.all": ("Все", "All"),
        "messages.inbox.none": ("Ответов пока нет.", "No replies yet."),
        "messages.inbox.counts": (
            "Ждут ответа: {waiting}, из них жалоб: {complaints}. Всего: {all}.",
            "Waiting: {waiting}, complaints among them: {complaints}. In all: {all}.",
        ),
        "messages.col.received": ("Получено", "Received"),
        "messages.col.from": ("От", "From"),
        "messages.col.category": ("Тип", "Kind"),
        "messages.col.text": ("Текст", "Text"),
        "messages.col.status": ("Статус", "Status"),
        "messages.category.complaint": ("жалоба", "complaint"),
        "messages.category.question": ("вопрос", "question"),
        "messages.category.thanks": ("благодарность", "thanks"),
        "messages.category.opt_out": ("отказ от сообщений", "opt-out"),
        "messages.category.other": ("другое", "other"),
        "messages.waiting": ("ждёт", "waiting"),
        "messages.resolved": ("решено {at}", "resolved {at}"),
        "messages.resolve": ("Отметить решённым", "Mark resolved"),
        "messages.done.resolved": (
            "Сообщение отмечено решённым.",
            "The message is marked resolved.",
        ),
        "messages.done.not_resolved": (
            "Сообщение уже было решено или не найдено.",
            "The message was resolved already or is not found.",
        ),
        "messages.no_order": ("не определён", "not matched"),
        # ---- statistics
        "messages.stats.period": (
            "Период (местные дни магазина)",
            "Period (the shop's local days)",
        ),
        "messages.stats.all_time": ("Пусто — за всё время.", "Empty: all time."),
        "messages.stats.bad_day": (
            "Дата «{value}» не распознана: нужна дата вида 2026-03-01.",
            "The date “{value}” is not understood: expected a date such as 2026-03-01.",
        ),
        "messages.stats.templates": ("По шаблонам", "Per template"),
        "messages.stats.templates_note": (
            "Сообщения магазина, созданные в периоде и принятые WhatsApp (состояние «отправлено»).",
            "The shop's messages created in the period and taken by WhatsApp (state “sent”).",
        ),
        "messages.stats.none": (
            "В периоде ничего не отправлено.",
            "Nothing was sent in the period.",
        ),
        "messages.col.sent": ("Отправлено", "Sent"),
        "messages.col.delivered": ("Доставлено", "Delivered"),
        "messages.col.read": ("Прочитано", "Read"),
        "messages.col.failed": ("Не доставлено", "Failed"),
        "messages.col.replied": ("Ответили", "Replied"),
        "messages.col.complaints": ("Жалобы", "Complaints"),
        "messages.col.opt_outs": ("Отказы", "Opt-outs"),
        "messages.stats.definitions": ("Что значат цифры", "What the figures mean"),
        "messages.def.sent": (
            "Отправлено — сообщение принято WhatsApp.",
            "Sent — the message was taken by WhatsApp.",
        ),
        "messages.def.delivered": (
            "Доставлено — последний статус «доставлено» или «прочитано» (прочитанное "
            "сообщение доставлено, даже если уведомление о доставке не пришло).",
            "Delivered — its latest status is delivered or read (a read message was "
            "delivered, even when the delivery notice never came).",
        ),
        "messages.def.read": (
            "Прочитано — последний статус «прочитано».",
            "Read — its latest status is read.",
        ),
        "messages.def.failed": (
            "Не доставлено — последний статус «ошибка доставки».",
            "Failed — its latest status is failed.",
        ),
        "messages.def.replied": (
            "Ответили — покупатель написал в ответ на это сообщение.",
            "Replied — the buyer wrote back to this message.",
        ),
        "messages.def.complaints": (
            "Жалобы и отказы — ответы, распознанные как жалоба или как просьба больше не писать.",
            "Complaints and opt-outs — replies recognised as a complaint or as a request to "
            "stop writing.",
        ),
        "messages.stats.conversion": ("Отзывы: с просьбой и без", "Reviews: asked and not asked"),
        "messages.def.conversion": (
            "Берутся заказы, выполненные в периоде (выполнение = доставка) не меньше 14 дней "
            "назад. Заказ дал отзыв, если первый отзыв Kaspi об этом заказе оставлен в день "
            "доставки или в следующие 14 дней (14-й день включён).",
            "Orders completed in the period (completion is delivery) at least 14 days ago. An "
            "order converted when its first Kaspi review is dated from delivery to 14 days "
            "after it (the 14th day included).",
        ),
        "messages.def.messaged": (
            "С просьбой — заказы, чьё второе сообщение было просьбой об отзыве и было "
            "доставлено (или прочитано).",
            "Asked — orders whose message 2 was the review request and was delivered (or read).",
        ),
        "messages.def.holdout": (
            "Контрольная группа — заказы покупателей из контрольной доли (им второе сообщение "
            "не отправляется вовсе). Заказы с возвратом, отменой, жалобой или опозданием не "
            "входят ни в одну группу.",
            "Holdout — orders of buyers in the holdout share (they get no message 2 at all). "
            "Orders with a return, cancellation, complaint or late handover are in neither "
            "group.",
        ),
        "messages.def.difference": (
            "Разница — доля с просьбой минус доля контрольной группы, с 95-процентным "
            "доверительным интервалом (метод Ньюкомба). Пока интервал захватывает ноль, "
            "пользы просьбы не доказано. Нет, пока одна из групп пуста.",
            "Difference — the asked share minus the holdout share, with its 95 % confidence "
            "interval (Newcombe's method). While the interval spans zero, the request is not "
            "yet proven to help. None while a group is empty.",
        ),
        "messages.col.group": ("Группа", "Group"),
        "messages.col.orders": ("Заказов", "Orders"),
        "messages.col.reviews": ("С отзывом", "Reviewed"),
        "messages.col.share": ("Доля", "Share"),
        "messages.group.messaged": ("С просьбой об отзыве", "Asked for a review"),
        "messages.group.holdout": ("Контрольная группа", "Holdout"),
        "messages.difference": ("Разница: {difference}", "Difference: {difference}"),
        "messages.interval": (
            "95 % интервал: от {low} до {high}",
            "95 % interval: {low} to {high}",
        ),
        "messages.no_difference": (
            "Разницы пока нет: одна из групп пуста.",
            "No difference yet: a group is empty.",
        ),
        "messages.proven": (
            "Интервал выше нуля: просьба об отзыве приносит отзывы.",
            "The interval is above zero: asking brings reviews.",
        ),
        "messages.not_proven": (
            "Интервал захватывает ноль: пока не доказано.",
            "The interval spans zero: not proven yet.",
        ),
        "messages.harmful": (
            "Интервал ниже нуля: с просьбой отзывов меньше.",
            "The interval is below zero: asking brings fewer reviews.",
        ),
        # ---- controls
        "messages.switch": ("Выключатель", "Kill switch"),
        "messages.switch_note": (
            "Остановка действует сразу: сообщения в очереди отменяются при отправке.",
            "A pause takes effect at once: queued messages are cancelled when their turn comes.",
        ),
        "messages.pause": ("Остановить сообщения", "Pause messages"),
        "messages.resume": ("Возобновить сообщения", "Resume messages"),
        "messages.reason": ("Причина", "Reason"),
        "messages.done.paused": ("Сообщения остановлены.", "Messages are paused."),
        "messages.done.resumed": ("Сообщения возобновлены.", "Messages are on again."),
        "messages.done.unchanged": ("Ничего не изменилось.", "Nothing changed."),
        "messages.optout": ("Покупатель попросил не писать", "A buyer asked not to be written to"),
        "messages.optout_note": (
            "Если покупатель попросил по телефону или в чате Kaspi: номер больше не получит "
            "сообщений ни от одного магазина на этом номере WhatsApp, сообщения ему в очереди "
            "отменяются.",
            "When a buyer asked by phone or in the Kaspi chat: the number gets no more "
            "messages from any shop on this WhatsApp number, and its queued messages are "
            "cancelled.",
        ),
        "messages.optout_phone": ("Телефон покупателя", "The buyer's phone"),
        "messages.optout_submit": ("Записать отказ", "Record the opt-out"),
        "messages.bad_phone": (
            "«{value}» — не мобильный номер Казахстана; нужен номер вида +7 701 123 45 67.",
            "“{value}” is not a Kazakhstan mobile number; expected one such as +7 701 123 45 67.",
        ),
        "messages.done.optout": (
            "Отказ записан, отменено сообщений в очереди: {cancelled}.",
            "The opt-out is recorded; queued messages cancelled: {cancelled}.",
        ),
        "messages.done.optout_known": (
            "Этот номер уже отказался раньше; отменено сообщений в очереди: {cancelled}.",
            "This number had opted out already; queued messages cancelled: {cancelled}.",
        ),
        "messages.optouts": ("Отказы покупателей этого магазина", "Opt-outs of this shop's buyers"),
        "messages.optouts_none": ("Отказов нет.", "No opt-outs."),
        "messages.col.when": ("Когда", "When"),
        "messages.col.how": ("Как", "How"),
        "messages.source.keyword": ("покупатель написал «стоп»", "the buyer wrote a stop word"),
        "messages.source.button": ("кнопка «не писать»", "the opt-out button"),
        "messages.source.seller": ("записал продавец", "recorded by the seller"),
        "messages.parameters": ("Параметры шаблона WhatsApp", "WhatsApp template parameters"),
        "messages.window": ("Окно отправки и язык", "Send window and language"),
        "messages.window_note": (
            "Сообщения уходят только в эти часы по местному времени магазина (начало "
            "включено, конец — нет).",
            "Messages go out only in these hours, the shop's local time (the start included, "
            "the end not).",
        ),
        "messages.window_default": (
            "Сейчас действует окно по умолчанию.",
            "The default window is in force.",
        ),
        "messages.window_start": ("С", "From"),
        "messages.window_end": ("До", "Until"),
        "messages.window_use_default": ("Вернуть окно по умолчанию", "Back to the default window"),
        "messages.language": ("Язык сообщений", "Language of the messages"),
        "messages.lang.ru": ("русский", "Russian"),
        "messages.lang.kk": ("казахский", "Kazakh"),
        "messages.lang.en": ("английский", "English"),
        "messages.bad_time": (
            "«{value}» — не время; нужно ЧЧ:ММ, например 10:00.",
            "“{value}” is not a time; expected HH:MM such as 10:00.",
        ),
        "messages.not_saved": ("Не сохранено:", "Not saved:"),
        "messages.done.window": (
            "Окно отправки и язык сохранены.",
            "The send window and language are saved.",
        ),
        "messages.done.default_window": (
            "Действует окно по умолчанию.",
            "The default window is in force.",
        ),
        # ---- templates
        "messages.templates_intro": (
            "Текст каждого сообщения на каждом языке: ваш собственный или готовый. Свой текст "
            "проверяется при сохранении.",
            "The wording of each message in each language: your own or the ready one. Your "
            "own is checked when saved.",
        ),
        "messages.placeholders": ("Подстановки", "Placeholders"),
        "messages.ph.first_name": ("имя покупателя", "the buyer's first name"),
        "messages.ph.order_code": ("номер заказа Kaspi", "the Kaspi order number"),
        "messages.ph.product": ("заказанный товар", "the ordered product"),
        "messages.ph.shop": ("название магазина", "the shop's name"),
        "messages.ph.review_link": (
            "ссылка на отзыв о товаре (только в просьбе об отзыве, уходит кнопкой)",
            "the product's review link (review request only; it goes in the button)",
        ),
        "messages.col.language": ("Язык", "Language"),
        "messages.col.wording": ("Текст", "Wording"),
        "messages.col.source": ("Чей", "Whose"),
        "messages.own": ("свой", "own"),
        "messages.ready": ("готовый", "ready"),
        "messages.edit": ("Изменить", "Edit"),
        "messages.view": ("Открыть", "Open"),
        "messages.kindname.order_received": ("Заказ принят", "Order received"),
        "messages.kindname.review_request": ("Просьба об отзыве", "Review request"),
        "messages.kindname.late_apology": ("Извинение за опоздание", "Apology for a delay"),
        "messages.kindname.cancelled": ("Заказ отменён", "Order cancelled"),
        "messages.kindname.returned": ("Возврат", "Return"),
        "messages.kindname.complaint_follow_up": ("После жалобы", "After a complaint"),
        "messages.template_title": ("{kind} · {tongue}", "{kind} · {tongue}"),
        "messages.back_to_templates": ("← Все шаблоны", "← All templates"),
        "messages.body": ("Текст сообщения", "Message text"),
        "messages.updated": ("Свой текст сохранён {at}.", "Own wording saved {at}."),
        "messages.uses_ready": (
            "Сейчас действует готовый текст.",
            "The ready wording is in force.",
        ),
        "messages.approved_name": ("Имя шаблона в WhatsApp", "Template name at WhatsApp"),
        "messages.approved_name_hint": (
            "Свой текст уходит как отдельный шаблон WhatsApp: подайте его на одобрение в "
            "WhatsApp Manager под этим именем (строчные латинские буквы, цифры и «_»). Пусто — "
            "{name}.",
            "Your own wording goes out as a WhatsApp template of its own: submit it for "
            "approval in WhatsApp Manager under this name (lower-case Latin letters, digits and "
            "“_”). Empty: {name}.",
        ),
        "messages.preview": ("Предпросмотр", "Preview"),
        "messages.preview_order": (
            "Номер заказа для предпросмотра",
            "Order number for the preview",
        ),
        "messages.preview_order_hint": ("Пусто — последний заказ.", "Empty: the latest order."),
        "messages.reset": ("Вернуть готовый текст", "Back to the ready wording"),
        "messages.buyer_reads": (
            "Так прочтёт покупатель заказа {order}:",
            "What the buyer of order {order} reads:",
        ),
        "messages.approved": (
            "Уходит как одобренный шаблон WhatsApp «{name}».",
            "Goes out as the approved WhatsApp template “{name}”.",
        ),
        "messages.button_link": (
            "Кнопка ведёт на отзыв: …{rest}",
            "The button opens the review: …{rest}",
        ),
        "messages.no_order_preview": (
            "Нет заказа для предпросмотра: {detail}.",
            "No order to preview with: {detail}.",
        ),
        "messages.no_orders": ("в магазине ещё нет заказов", "the shop has no orders yet"),
        "messages.unknown_order": (
            "заказа «{code}» нет в магазине",
            "the shop has no order “{code}”",
        ),
        "messages.done.saved": ("Свой текст сохранён.", "Your wording is saved."),
        "messages.done.reset": ("Действует готовый текст.", "The ready wording is in force."),
        "messages.template_problems": (
            "Текст не сохранён, исправьте:",
            "The wording is not saved; fix:",
        ),
    }
)
