// DutyDesk webhook media type for Zabbix 5.4 and later (docs/alerts.md, "Zabbix").
//
// Zabbix runs this script for every problem, recovery and update operation of an
// action whose media type is "DutyDesk". It posts one JSON event to the integration's
// secret URL; DutyDesk opens an incident for a problem (value 1), resolves it on the
// recovery (value 0, same event id) and notes updates (acknowledgements).
//
// Media type parameters (name = value):
//   url          = the integration URL shown once in DutyDesk, ending in /zabbix
//   event_id     = {EVENT.ID}
//   value        = {EVENT.VALUE}
//   update       = {EVENT.UPDATE.STATUS}
//   update_action = {EVENT.UPDATE.ACTION}
//   severity     = {EVENT.SEVERITY}
//   nseverity    = {EVENT.NSEVERITY}
//   host         = {HOST.NAME}
//   trigger      = {TRIGGER.NAME}
//   trigger_id   = {TRIGGER.ID}
//   subject      = {ALERT.SUBJECT}
//   message      = {ALERT.MESSAGE}
//   tags         = {EVENT.TAGS}
//   event_url    = {$ZABBIX.URL}/tr_events.php?triggerid={TRIGGER.ID}&eventid={EVENT.ID}
//   http_proxy   = (optional)

var FIELDS = [
    'event_id', 'value', 'update', 'update_action', 'severity', 'nseverity', 'host',
    'trigger', 'trigger_id', 'subject', 'message', 'tags'
];

function dutydeskSend(params) {
    if (typeof params.url !== 'string' || !/^https?:\/\/.+\/zabbix\/?$/.test(params.url)) {
        throw 'Parameter "url" must be the DutyDesk integration URL ending in /zabbix';
    }
    var event = {};
    for (var i = 0; i < FIELDS.length; i++) {
        event[FIELDS[i]] = typeof params[FIELDS[i]] === 'string' ? params[FIELDS[i]] : '';
    }
    event.url = typeof params.event_url === 'string' ? params.event_url : '';

    var request = new HttpRequest();
    request.addHeader('Content-Type: application/json');
    if (typeof params.http_proxy === 'string' && params.http_proxy.trim() !== '') {
        request.setProxy(params.http_proxy);
    }
    var response = request.post(params.url, JSON.stringify(event));
    var status = request.getStatus();
    Zabbix.log(4, '[DutyDesk webhook] HTTP ' + status + ': ' + response);
    if (status < 200 || status >= 300) {
        // 4xx: DutyDesk kept the request in its intake log with the reason; 5xx: retried.
        throw 'DutyDesk answered HTTP ' + status + ': ' + response;
    }
    return 'OK';
}

try {
    return dutydeskSend(JSON.parse(value));
} catch (error) {
    Zabbix.log(3, '[DutyDesk webhook] sending failed: ' + error);
    throw 'Sending to DutyDesk failed: ' + error;
}
