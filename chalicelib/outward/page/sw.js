// The customer's page's service worker (/t/sw.js, scope /t/): shows the shop's push messages
// and, on a tap, opens the order's link and tells the shop the message was read.
self.addEventListener('install',function(){self.skipWaiting()});
self.addEventListener('activate',function(e){e.waitUntil(self.clients.claim())});
self.addEventListener('push',function(e){
var d={};try{d=e.data?e.data.json():{}}catch(x){d={body:e.data?e.data.text():''}}
e.waitUntil(self.registration.showNotification(d.title||'維修進度通知',{body:d.body||'',tag:d.tag||undefined,lang:'zh-TW',data:{url:d.url||'',id:d.message_id||''}}))});
self.addEventListener('notificationclick',function(e){
e.notification.close();var d=e.notification.data||{},path;
try{path=new URL(d.url,self.location.origin).pathname}catch(x){return}
if(!/^\/t\/[A-Za-z0-9_-]{16,200}$/.test(path))return; // only the shop's own links
var read=/^[a-z_]+(\.[1-9][0-9]{0,3})?\.[a-z_]+$/.test(d.id)?fetch(path+'/messages/read',{method:'POST',credentials:'omit',headers:{'Content-Type':'application/json'},body:JSON.stringify({message_id:d.id})}).catch(function(){}):null;
e.waitUntil(Promise.all([read,self.clients.openWindow(path)]))});
