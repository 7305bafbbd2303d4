(function(){
var s=document.getElementById('push');if(!s)return;
var d=document,on=d.getElementById('pushon'),off=d.getElementById('pushoff'),m=d.getElementById('pushmsg'),
base=location.pathname.replace(/\/+$/,''),key=s.getAttribute('data-key'),reg=null;
var ios=/iP(hone|ad|od)/.test(navigator.userAgent),home=navigator.standalone||(window.matchMedia&&matchMedia('(display-mode: standalone)').matches);
if(!('serviceWorker' in navigator)||!('PushManager' in window)||!('Notification' in window)||!key){
if(ios&&!home){s.hidden=false;on.hidden=true;d.getElementById('pushios').hidden=false}return}
function shown(subscribed){on.hidden=subscribed;off.hidden=!subscribed;s.setAttribute('data-state',subscribed?'on':'off')}
function say(t){m.textContent=t}
function call(method,body){return fetch(base+'/push',{method:method,credentials:'omit',headers:{'Content-Type':'application/json'},body:JSON.stringify(body)}).then(function(r){if(!r.ok)throw r})}
function bytes(k){var p=(k+'==='.slice((k.length+3)%4)).replace(/-/g,'+').replace(/_/g,'/'),r=atob(p),a=new Uint8Array(r.length);for(var i=0;i<r.length;i++)a[i]=r.charCodeAt(i);return a}
navigator.serviceWorker.register('/t/sw.js',{scope:'/t/'}).then(function(r){reg=r;s.hidden=false;s.setAttribute('data-ready','1');
if(ios&&!home)d.getElementById('pushios').hidden=false;
return r.pushManager.getSubscription().then(function(x){shown(!!x)})}).catch(function(){});
on.addEventListener('click',function(){on.disabled=true;say('');
Promise.resolve(Notification.permission==='granted'?'granted':Notification.requestPermission()).then(function(p){
if(p!=='granted'){say('您沒有允許通知。請在瀏覽器設定中允許本頁通知後再試。 Notifications are not allowed: allow them in the browser settings and try again.');return}
return reg.pushManager.subscribe({userVisibleOnly:true,applicationServerKey:bytes(key)}).then(function(x){return call('POST',x.toJSON())}).then(function(){shown(true);say('已開啟通知，有新進度時會通知您。 Notifications are on.')})
}).catch(function(){say('無法開啟通知：這個瀏覽器連不上推播服務。我們仍會以 LINE 或簡訊通知您。 Could not turn on notifications: this browser cannot reach its push service. We will still tell you by LINE or SMS.')}).then(function(){on.disabled=false})});
off.addEventListener('click',function(){off.disabled=true;
reg.pushManager.getSubscription().then(function(x){if(!x)return;return call('DELETE',{endpoint:x.endpoint}).then(function(){return x.unsubscribe()})}).then(function(){shown(false);say('已關閉通知。 Notifications are off.')},function(){say('無法關閉通知，請稍後再試。 Could not turn notifications off: please try again.')}).then(function(){off.disabled=false})});
})();
