"""Demo tickets of the Russian-speaking clients (Ромашка, Вектор Логистик)."""

from dutydesk.demo.script import DAY, HOUR, DemoTicket
from dutydesk.tickets.models import Channel, Status, TicketType

# fmt: off
TICKETS_RU: list[DemoTicket] = [
    # --- ООО «Ромашка» (Russian, 24/7, Moscow) ----------------------------------------
    DemoTicket(
        key="r-1c-licence", org="romashka", channel=Channel.EMAIL, sender="irina@romashka.example",
        opened="26d 09:05", priority="P2", type=TicketType.INCIDENT, category="1С",
        subject="1С:Бухгалтерия не запускается — ошибка лицензии",
        body="""
            Добрый день!

            С утра 1С:Бухгалтерия не запускается ни у кого в бухгалтерии: «Не обнаружена
            лицензия для использования программы». Вчера всё работало.

            Ирина Смирнова, главный бухгалтер
        """,
        steps=(
            (12, "assign", "anna"),
            (20, "note", "anna", """
                Сервер лицензирования 1С не видит USB-ключ после ночной перезагрузки хоста.
                Переподключили ключ через USB-over-IP.
            """),
            (3, "reply", "anna", """
                Ирина, добрый день!

                После ночной перезагрузки сервера не подключился ключ защиты 1С. Мы
                переподключили его — пожалуйста, перезапустите 1С и проверьте.

                Анна, служба поддержки
            """),
            (15, "client", "Заработало, спасибо!"),
            (4, "status", "anna", Status.RESOLVED),
            (3 * DAY, "status", "anna", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="r-printer", org="romashka", channel=Channel.TELEGRAM, sender="dmitry@romashka.example",
        opened="21d 12:40", priority="P3", type=TicketType.INCIDENT, category="печать",
        subject="Не печатает принтер в бухгалтерии",
        body="Принтер в бухгалтерии не печатает, задания висят в очереди.",
        steps=(
            (15, "assign", "anna"),
            (6, "reply", "anna", """
                Дмитрий, добрый день!

                Очистили очередь печати на сервере и перезапустили службу. Проверьте,
                пожалуйста; если снова не печатает, напишите, что показывает экран принтера.

                Анна
            """),
            (1, "status", "anna", Status.PENDING),
            (50, "client", "Теперь печатает, спасибо."),
            (5, "status", "anna", Status.RESOLVED),
            (2 * DAY, "status", "anna", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="r-mailbox", org="romashka", channel=Channel.EMAIL, sender="olga@romashka.example",
        opened="17d 16:20", priority="P3", type=TicketType.REQUEST, category="почта",
        subject="Переполнен почтовый ящик, письма не отправляются",
        body="""
            Здравствуйте! Outlook пишет, что почтовый ящик переполнен, письма не уходят.
            Очень нужно сегодня отправить документы клиенту.

            Ольга Петрова
        """,
        steps=(
            (10, "assign", "anna"),
            (12, "reply", "anna", """
                Ольга, здравствуйте!

                Увеличили квоту ящика с 10 до 25 ГБ и включили архивирование писем старше
                года — они останутся доступны в папке «Архив». Отправка снова работает.

                Анна
            """),
            (4, "status", "anna", Status.RESOLVED),
            (3 * DAY, "status", "anna", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="r-newhire", org="romashka", channel=Channel.PORTAL, sender="irina@romashka.example",
        opened="12d 10:00", priority="P3", type=TicketType.REQUEST, category="учётные записи",
        subject="Новый сотрудник: учётная запись и доступ к 1С",
        body="""
            С понедельника у нас работает новый бухгалтер — Елена Соколова. Нужно:
            — учётная запись Windows и почта;
            — доступ к 1С:Бухгалтерии (роль «Бухгалтер»);
            — доступ к папке «Бухгалтерия» на сервере.
        """,
        steps=(
            (30, "assign", "anna"),
            (2 * HOUR, "note", "anna", """
                Создана УЗ e.sokolova, почта, группа FS-Buh-RW. В 1С добавлен пользователь с
                ролью «Бухгалтер». Временный пароль передан Ирине по телефону.
            """),
            (3, "reply", "anna", """
                Ирина, добрый день!

                Учётная запись Елены Соколовой готова: e.sokolova@romashka.example, доступ к
                1С и к папке «Бухгалтерия» настроен. Временный пароль я продиктовала вам по
                телефону; при первом входе система попросит его сменить.

                Анна
            """),
            (4, "status", "anna", Status.RESOLVED),
            (3 * DAY, "status", "anna", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="r-disk", org="romashka", channel=Channel.MONITORING,
        sender="alertmanager@romashka.example", opened="7d 02:35", priority="P1",
        category="серверы",
        subject="[FIRING] DiskSpaceLow srv-1c01 C: свободно 4%",
        body="""
            alertname: DiskSpaceLow
            instance: srv-1c01
            volume: C:
            severity: critical
            summary: на диске C: сервера srv-1c01 свободно 4% (6 ГБ), рост около 1 ГБ/ч.
        """,
        steps=(
            (4, "assign", "timur"),
            (10, "note", "timur", """
                Журнал транзакций базы 1С (LDF) вырос до 80 ГБ: не выполнялось усечение после
                резервного копирования. Удалил временные файлы (+2 ГБ), нужен L2.
            """),
            (2, "escalate", "timur", "l2", """
                Эскалация на L2
                Что: на srv-1c01 заканчивается место на диске C:, растёт журнал транзакций
                базы 1С.
                Что сделано: проверили размеры файлов, удалили временные файлы (освободили
                2 ГБ).
                Клиент: ООО «Ромашка», 1С для всей бухгалтерии.
                Срочность: P1, диск заполнится примерно через 5 часов.
            """),
            (8, "assign", "igor"),
            (35, "note", "igor", """
                После полного бэкапа перевёл базу в модель восстановления SIMPLE и сжал журнал:
                свободно 71 ГБ. Утром согласовать с клиентом расписание бэкапов журнала.
            """),
            (3, "status", "igor", Status.RESOLVED),
            (2 * DAY, "status", "igor", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="r-vpn", org="romashka", channel=Channel.PHONE, sender="dmitry@romashka.example",
        submitted_by="anna", opened="4d 18:30", priority="P2", type=TicketType.INCIDENT,
        category="сеть",
        subject="Не подключается VPN из дома",
        body="""
            Дмитрий позвонил: из дома не подключается VPN, ошибка 809. Нужно до утра закрыть
            отчётность.
        """,
        steps=(
            (2, "assign", "anna"),
            (10, "reply", "anna", """
                Дмитрий, добрый вечер!

                Ошибка 809 означает, что домашний роутер блокирует протокол VPN. Мы
                переключили ваш профиль на SSL-VPN: откройте клиент, выберите профиль
                «Romashka-SSL» и подключитесь.

                Анна
            """),
            (20, "client", "Подключился, всё работает."),
            (3, "status", "anna", Status.RESOLVED),
        ),
    ),
    DemoTicket(
        key="r-backup", org="romashka", channel=Channel.MONITORING,
        sender="alertmanager@romashka.example", opened="2d 04:00", priority="P2",
        category="резервное копирование",
        subject="[FIRING] Резервное копирование базы 1С не выполнено",
        body="""
            alertname: BackupMissing
            job: 1c-sql-full
            severity: warning
            summary: нет успешной резервной копии базы 1С за последние 25 часов.
        """,
        steps=(
            (90, "assign", "igor"),
            (20, "note", "igor", """
                Задание упало: после смены модели восстановления (см. связанный инцидент) план
                обслуживания ссылается на удалённый шаг бэкапа журнала.
            """),
            (2, "link", "igor", "r-disk"),
            (5, "note", "igor", "Исправил план обслуживания, полный бэкап запущен вручную."),
        ),
    ),
    DemoTicket(
        key="r-1c-slow", org="romashka", channel=Channel.EMAIL, sender="olga@romashka.example",
        opened="1d 11:00", priority="P3", type=TicketType.INCIDENT, category="1С",
        subject="1С тормозит при проведении документов",
        body="""
            Добрый день! Со вчерашнего дня проведение документов в 1С занимает по 2–3 минуты,
            раньше было несколько секунд. Тормозит у всех.
        """,
        steps=(
            (25, "assign", "anna"),
            (15, "note", "anna", "Проведение реализации ~150 с, сервер 1С не нагружен."),
            (2, "escalate", "anna", "l2", """
                Эскалация на L2
                Что: медленное проведение документов в 1С у всех пользователей (150 с вместо
                3 с).
                Что сделано: воспроизвели, проверили нагрузку на сервер 1С (низкая),
                перезапустили службу агента — без изменений.
                Клиент: ООО «Ромашка», бухгалтерия, 8 пользователей.
                Срочность: P3, работать можно, но медленно.
            """),
            (30, "assign", "igor"),
            (25, "reply", "igor", """
                Ольга, добрый день!

                Причина найдена: после вчерашнего сбоя резервного копирования не обновилась
                статистика базы. Обновим её сегодня в 20:00, после рабочего дня. Пожалуйста,
                напишите завтра утром, стало ли быстрее.

                Игорь, вторая линия
            """),
            (2, "status", "igor", Status.PENDING),
        ),
    ),
    DemoTicket(
        key="r-scanner", org="romashka", channel=Channel.TELEGRAM, sender="irina@romashka.example",
        opened="2h", priority="P4", type=TicketType.INCIDENT, category="печать",
        subject="Не работает сканер на МФУ в приёмной",
        body="МФУ в приёмной копирует, но при сканировании в папку пишет «Ошибка отправки».",
    ),
    DemoTicket(
        key="r-zoom", org="romashka", channel=Channel.EMAIL, sender="dmitry@romashka.example",
        opened="25m", priority="P4", type=TicketType.REQUEST, category="программы",
        subject="Прошу установить Zoom на ноутбук",
        body="""
            Добрый день! Прошу установить Zoom на мой ноутбук (инв. № RM-0421): завтра в 10:00
            видеоконференция с поставщиком.
        """,
    ),
    # --- АО «Вектор Логистик» (Russian, business hours, Yekaterinburg) ----------------
    DemoTicket(
        key="v-locked", org="vektor", channel=Channel.EMAIL,
        sender="sergey@vektor-logistic.example", opened="18d 09:15", priority="P2",
        type=TicketType.INCIDENT, category="учётные записи",
        subject="Заблокирована учётная запись после смены пароля",
        body="""
            После смены пароля учётная запись блокируется через несколько минут. С утра не
            могу работать.

            Сергей Иванов, начальник склада
        """,
        steps=(
            (8, "assign", "timur"),
            (10, "reply", "timur", """
                Сергей, добрый день!

                Разблокировали учётную запись. Блокировку вызывает старый пароль, сохранённый
                на другом устройстве: проверьте, пожалуйста, почту на телефоне и терминал
                сбора данных на складе и обновите там пароль.

                Тимур
            """),
            (40, "client", "Нашёл старый пароль в почте на телефоне, поменял. Всё работает."),
            (3, "status", "timur", Status.RESOLVED),
            (2 * DAY, "status", "timur", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="v-wms", org="vektor", channel=Channel.API, sender="maria@vektor-logistic.example",
        submitted_by="admin", opened="11d 10:40", priority="P1", type=TicketType.INCIDENT,
        category="интеграция",
        subject="Сбой обмена WMS ↔ 1С: заказы не выгружаются",
        body="""
            Обмен между WMS и 1С:УТ остановился в 10:20. Новые заказы не попадают на склад,
            отгрузки стоят.
        """,
        steps=(
            (3, "assign", "timur"),
            (7, "note", "timur", "В журнале WMS: HTTP 500 от веб-сервиса 1С на методе PostOrders."),
            (2, "escalate", "timur", "l2", """
                Эскалация на L2
                Что: обмен WMS → 1С:УТ возвращает HTTP 500 на PostOrders с 10:20.
                Что сделано: проверили доступность веб-сервиса (отвечает), перезапустили
                службу обмена — без изменений.
                Клиент: АО «Вектор Логистик», отгрузки со склада остановлены.
                Срочность: P1.
            """),
            (5, "assign", "igor"),
            (25, "note", "igor", """
                После вчерашнего обновления конфигурации 1С поле «Грузополучатель» стало
                обязательным, а WMS его не передаёт. Нужна доработка обработчика — на L3.
            """),
            (3, "escalate", "igor", "l3", """
                Эскалация на L3
                Что: обработчик PostOrders в 1С падает на новом обязательном поле
                «Грузополучатель».
                Что сделано: локализовали ошибку; обойти её без доработки нельзя.
                Клиент: АО «Вектор Логистик», склад простаивает.
                Срочность: P1, нужен hotfix.
            """),
            (5, "assign", "maxim"),
            (10, "reply", "maxim", """
                Мария, добрый день!

                Причина сбоя — вчерашнее обновление 1С: в заказах появилось обязательное поле,
                которое WMS не передаёт. Готовим исправление обработчика обмена, ориентировочно
                40 минут.

                Максим, третья линия
            """),
            (45, "note", "maxim", """
                Hotfix: «Грузополучатель» по умолчанию = контрагент заказа. Выложено, очередь
                из 312 заказов обработана.
            """),
            (3, "reply", "maxim", """
                Обмен восстановлен, все 312 накопившихся заказов переданы на склад. Постоянное
                исправление на стороне WMS согласуем с вашим подрядчиком отдельно.

                Максим
            """),
            (20, "client", "Подтверждаем, отгрузки пошли. Спасибо за оперативность!"),
            (5, "status", "maxim", Status.RESOLVED),
            (3 * DAY, "status", "maxim", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="v-ssl", org="vektor", channel=Channel.EMAIL, sender="sergey@vektor-logistic.example",
        opened="6d 10:50", priority="P3", type=TicketType.REQUEST, category="сертификаты",
        subject="Продление SSL-сертификата для portal.vektor-logistic.example",
        body="Через три недели истекает сертификат клиентского портала. Прошу продлить.",
        steps=(
            (35, "assign", "timur"),
            (10, "reply", "timur", """
                Сергей, добрый день!

                Нужно ваше решение: продлеваем прежний платный сертификат (OV, счёт придёт от
                регистратора) или переходим на бесплатный Let's Encrypt с автоматическим
                продлением? Ответьте, пожалуйста, на это письмо.

                Тимур
            """),
            (1, "status", "timur", Status.PENDING),
        ),
    ),
    DemoTicket(
        key="v-locked-again", org="vektor", channel=Channel.EMAIL,
        sender="sergey@vektor-logistic.example",
        about="v-locked",  # closed long ago, so this opens a follow-up ticket
        opened="4d 09:30", category="учётные записи",
        subject="Снова блокируется учётная запись",
        body="Добрый день! Учётная запись опять блокируется, как в прошлый раз. Телефон проверил.",
        steps=(
            (20, "assign", "timur"),
            (10, "reply", "timur", """
                Сергей, добрый день!

                По журналу контроллера домена блокировку вызывает терминал сбора данных ТСД-07
                на складе. Подскажите, пожалуйста, кто им пользуется: на нём нужно войти
                заново с новым паролем.

                Тимур
            """),
            (1, "status", "timur", Status.PENDING),
        ),
    ),
    DemoTicket(
        key="v-voip", org="vektor", channel=Channel.PHONE, sender="maria@vektor-logistic.example",
        submitted_by="timur", opened="1d 14:10", priority="P2", type=TicketType.INCIDENT,
        category="телефония",
        subject="Не работает IP-телефония на складе №2",
        body="""
            Мария позвонила: на складе №2 телефоны показывают «Нет регистрации», входящие не
            проходят. На остальных площадках всё работает.
        """,
        steps=(
            (3, "assign", "timur"),
            (15, "note", "timur", """
                Коммутатор склада №2 перезагрузился ночью, голосовой VLAN не поднялся
                (конфигурация не была сохранена). Выезд инженера завтра в 9:00.
            """),
            (2, "reply", "timur", """
                Мария, добрый день!

                Причина — сбой настройки коммутатора на складе №2 после перезагрузки. Завтра в
                9:00 по Екатеринбургу приедет инженер; до этого звонки на склад №2
                переадресованы на мобильный старшего смены.

                Тимур
            """),
        ),
    ),
    DemoTicket(
        key="v-share", org="vektor", channel=Channel.PORTAL, sender="maria@vektor-logistic.example",
        opened="5h", priority="P4", type=TicketType.REQUEST, category="доступ",
        subject="Нужен доступ к общей папке «Отчёты»",
        body="Прошу выдать доступ на чтение к папке \\\\fs01\\Отчёты новому логисту Павлу Орлову.",
    ),
]
# fmt: on
