(function () {
  'use strict';
  var d = document, body = d.body, base = body.dataset.base, page = body.dataset.page;
  var KEY = 'sl-booking:' + base, state = {};
  function $(id) { return d.getElementById(id); }
  function say(el, text, ok) { if (el) { el.textContent = text || ''; el.className = 'msg' + (ok ? ' ok' : ''); } }
  function errorText(answer) { return (answer && answer.error && answer.error.message) || '連線失敗，請再試一次。 Connection failed: try again.'; }
  function call(method, path, data) {
    return fetch(base + path, { method: method, headers: { 'Content-Type': 'application/json' },
      body: data ? JSON.stringify(data) : undefined, credentials: 'omit' })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { return { ok: r.ok, status: r.status, body: j }; }); },
            function () { return { ok: false, status: 0, body: {} }; });
  }
  function newId() {
    var a = new Uint8Array(12); crypto.getRandomValues(a);
    return 'bk' + Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  // What was typed survives a reload or a lost connection (sessionStorage: this tab only).
  function load() { try { state = JSON.parse(sessionStorage.getItem(KEY) || '{}'); } catch (e) { state = {}; } }
  function save() { try { sessionStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode */ } }

  function pick(list, el) {
    Array.prototype.forEach.call(list, function (b) { b.setAttribute('aria-pressed', String(b === el)); });
  }
  var days = d.querySelectorAll('.day'), times = $('times'), tmsg = $('tmsg');
  function service() { var s = d.querySelector('input[name=service]:checked'); return s ? s.value : body.dataset.service; }
  function showTimes(date, keep) {
    if (!date) return;
    var svc = service();
    if (page === 'book' && !svc) { say(tmsg, '請先選擇服務項目。 Pick a service first.'); return; }
    say(tmsg, '載入中… Loading…', true);
    times.textContent = '';
    var q = '/slots?date=' + date + (page === 'book' ? '&service=' + encodeURIComponent(svc) : '');
    return call('GET', q).then(function (a) {
      if (!a.ok) { say(tmsg, errorText(a.body)); return; }
      say(tmsg, a.body.slots.length ? '' : '這天沒有可預約的時段，請選別天。 No free times that day: pick another.');
      a.body.slots.forEach(function (s) {
        var b = d.createElement('button');
        b.type = 'button'; b.className = 'time'; b.textContent = s.time; b.dataset.at = s.at;
        b.setAttribute('aria-pressed', String(keep && s.at === state.at));
        b.addEventListener('click', function () { state.at = s.at; save(); pick(times.children, b); if ($('moveto')) $('moveto').disabled = false; });
        times.appendChild(b);
      });
      if (keep && state.at && !a.body.slots.some(function (s) { return s.at === state.at; })) { delete state.at; save(); }
    });
  }
  Array.prototype.forEach.call(days, function (b) {
    b.setAttribute('aria-pressed', 'false');
    b.addEventListener('click', function () {
      state.date = b.dataset.date; delete state.at; save(); pick(days, b); showTimes(b.dataset.date);
      if ($('moveto')) $('moveto').disabled = true;
    });
  });

  if (page === 'book') {
    load();
    var form = $('bk'), fields = ['plate', 'name', 'mobile', 'code', 'note'];
    fields.forEach(function (f) {
      var el = $(f); if (state[f]) el.value = state[f];
      el.addEventListener('input', function () { state[f] = el.value; save(); });
    });
    if (state.ack) $('ack').checked = true;
    $('ack').addEventListener('change', function () { state.ack = $('ack').checked; save(); });
    Array.prototype.forEach.call(d.querySelectorAll('input[name=service]'), function (r) {
      if (r.value === state.service) r.checked = true;
      r.addEventListener('change', function () { state.service = r.value; delete state.at; save(); if (state.date) showTimes(state.date); });
    });
    if (state.date) {
      var chosen = d.querySelector('.day[data-date="' + state.date + '"]');
      if (chosen) { pick(days, chosen); showTimes(state.date, true); }
    }
    var send = $('sendcode'), cmsg = $('cmsg'), bmsg = $('bmsg');
    function wait(seconds) {
      send.disabled = true;
      var left = seconds, label = send.innerHTML;
      var timer = setInterval(function () {
        left -= 1; send.textContent = '重新傳送 Resend (' + left + ')';
        if (left <= 0) { clearInterval(timer); send.disabled = false; send.innerHTML = label; }
      }, 1000);
    }
    send.addEventListener('click', function () {
      say(cmsg, '傳送中… Sending…', true);
      call('POST', '/code', { mobile: $('mobile').value }).then(function (a) {
        if (!a.ok) { say(cmsg, errorText(a.body)); return; }
        say(cmsg, '驗證碼已傳送到 ' + a.body.sent_to + '。 Code sent.', true);
        wait(a.body.resend_after || 60); $('code').focus();
      });
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!state.at) { say(bmsg, '請選擇日期與時間。 Pick a day and time.'); return; }
      state.booking_id = state.booking_id || newId(); save();
      var btn = $('book'); btn.disabled = true; say(bmsg, '預約中… Booking…', true);
      call('POST', '/bookings', {
        booking_id: state.booking_id, plate: $('plate').value, mobile: $('mobile').value,
        name: $('name').value, service_id: service() || '', at: state.at, note: $('note').value,
        code: $('code').value, privacy_ack: $('ack').checked, source: body.dataset.source
      }).then(function (a) {
        btn.disabled = false;
        if (!a.ok) {
          say(bmsg, errorText(a.body));
          if (a.body.error && a.body.error.code === 'slot_full') {
            delete state.at; save();
            showTimes(state.date).then(function () {
              say(tmsg, '這個時段剛好額滿了，請選下面其他時間。 That time was just taken: pick another below.');
              tmsg.closest('section').scrollIntoView();
            });
          }
          return;
        }
        var bk = a.body.booking;
        try { sessionStorage.removeItem(KEY); } catch (e) { /* private mode */ }
        form.hidden = true;
        $('dtitle').textContent = bk.state === 'pending' ? '預約已送出，等待店家確認 Sent: the shop will confirm' : '預約成功 Booked';
        $('dwhen').textContent = bk.when;
        $('dnote').textContent = bk.purpose + ' · ' + bk.plate;
        $('dmanage').href = new URL(a.body.manage_url).pathname;
        if (a.body.line_url) { $('dline').href = a.body.line_url; $('dline').hidden = false; }
        $('done').hidden = false; $('done').scrollIntoView();
      });
    });
  }

  if (page === 'manage') {
    var msg = $('bmsg');
    function shown(a, text) {
      if (!a.ok) { say(msg, errorText(a.body)); return false; }
      $('when').textContent = a.body.booking.when;
      $('mstate').textContent = a.body.booking.state_zh + ' ' + a.body.booking.state_en;
      say(msg, text, true); return true;
    }
    if ($('moveto')) $('moveto').addEventListener('click', function () {
      if (!state.at) return;
      $('moveto').disabled = true;
      call('POST', '/reschedule', { at: state.at }).then(function (a) {
        if (a.status === 0) $('moveto').disabled = false; // no connection: the same time again
        if (!shown(a, '已改到新的時間。 Moved.') && a.body.error && a.body.error.code === 'slot_full') showTimes(state.date);
        else if (a.ok) { times.textContent = ''; delete state.at; }
      });
    });
    if ($('cancel1')) {
      $('cancel1').addEventListener('click', function () { $('confirm').hidden = false; $('cancel1').hidden = true; });
      $('keep').addEventListener('click', function () { $('confirm').hidden = true; $('cancel1').hidden = false; });
      $('cancel2').addEventListener('click', function () {
        $('cancel2').disabled = true; // a double tap cancels once
        call('POST', '/cancel').then(function (a) {
          $('cancel2').disabled = a.ok;
          if (shown(a, '預約已取消。 Cancelled.')) { $('move').hidden = true; $('cancel').hidden = true; }
        });
      });
    }
  }
}());
