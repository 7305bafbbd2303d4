(function(){
var d=document,m=d.getElementById('state'),b=d.getElementById('toggle'),path=location.pathname;
function set(out){b.disabled=true;
fetch(path,{method:'POST',credentials:'omit',headers:{'Content-Type':'application/json'},body:JSON.stringify({reminders:out?'off':'on'})})
.then(function(r){if(!r.ok)throw r;return r.json()}).then(function(){
m.textContent=out?'已停止保養與檢查提醒。之後不會再收到提醒訊息。 You will get no more reminders.':'已恢復提醒。 Reminders are back on.';
b.textContent=out?'恢復提醒 Turn reminders back on':'停止提醒 Stop reminders';b.setAttribute('data-out',out?'1':'');b.disabled=false},
function(){m.textContent='網路連線不穩，請再按一次。 Network problem: please tap again.';b.disabled=false})}
b.addEventListener('click',function(){set(!b.getAttribute('data-out'))});
set(true)})();
