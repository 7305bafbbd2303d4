(function(){
var d=document,base=location.pathname.replace(/\/+$/,'');
function $(s,e){return(e||d).querySelector(s)}
function all(s,e){return Array.prototype.slice.call((e||d).querySelectorAll(s))}
function post(path,body){
return fetch(base+path,{method:'POST',credentials:'omit',headers:{'Content-Type':'application/json','Accept-Language':'zh-TW'},body:JSON.stringify(body)})
.then(function(r){return r.json().catch(function(){return{}}).then(function(b){return{ok:r.ok,status:r.status,body:b}})},
function(){return{ok:false,status:0,body:{error:{message:'網路連線不穩，請稍後再試。Network problem: please try again.'}}}})}
function say(el,r){el.textContent=(r.body&&r.body.error&&r.body.error.message)||('錯誤 Error '+r.status)}
all('[data-wish]').forEach(function(b){b.addEventListener('click',function(){
var li=b.closest('li'),m=$('.msg',li);all('button',li).forEach(function(x){x.disabled=true});
post('/parts/'+b.getAttribute('data-code'),{wish:b.getAttribute('data-wish')}).then(function(r){
if(r.ok)location.reload();else{say(m,r);all('button',li).forEach(function(x){x.disabled=false})}})})});
all('[data-option]').forEach(function(b){b.addEventListener('click',function(){
var td=b.closest('td'),m=$('.msg',td);all('button',td).forEach(function(x){x.disabled=true});
post('/choice',{line_id:b.getAttribute('data-line'),option:+b.getAttribute('data-option')}).then(function(r){
if(r.ok)location.reload();else{say(m,r);all('button',td).forEach(function(x){x.disabled=false})}})})});
var f=$('#approve');if(!f)return;
var consented=+f.getAttribute('data-consented'),above=+f.getAttribute('data-code-above'),out=$('#newtotal'),send=$('#send'),msg=$('#amsg'),otp=$('#otp'),code=$('#code'),cmsg=$('#cmsg');
function money(n){return'NT$'+n.toLocaleString('en-US')}
function picks(){var o={},n=0;all('input[type=radio]:checked',f).forEach(function(i){o[i.name]=i.value;n++});return{o:o,n:n}}
function ready(){var p=picks();send.disabled=!(p.n===+f.getAttribute('data-count')&&ink()&&$('#consent').checked&&$('#signer').value.trim()&&(otp.hidden||/^[0-9]{6}$/.test(code.value)));return p}
function total(){var s=consented;all('input[type=radio]:checked',f).forEach(function(i){if(i.value==='approved')s+=+i.getAttribute('data-amount')});
s=Math.max(0,s);out.textContent=money(s);otp.hidden=!(s>above);ready()}
f.addEventListener('change',total);f.addEventListener('input',ready);
var c=$('#pad'),x=c.getContext('2d'),strokes=[],cur=null,t0=0,w=0,h=0;
function size(){var r=c.getBoundingClientRect(),k=window.devicePixelRatio||1;w=Math.round(r.width);h=Math.round(r.height);c.width=w*k;c.height=h*k;x.setTransform(k,0,0,k,0,0);draw()}
function draw(){x.clearRect(0,0,w,h);x.lineWidth=2.5;x.lineCap=x.lineJoin='round';x.strokeStyle='#111';
strokes.forEach(function(s){x.beginPath();s.forEach(function(p,i){i?x.lineTo(p[0],p[1]):x.moveTo(p[0],p[1])});if(s.length==1)x.lineTo(s[0][0]+.1,s[0][1]);x.stroke()})}
function pt(e){var r=c.getBoundingClientRect();return[Math.round(e.clientX-r.left),Math.round(e.clientY-r.top),Math.min(3600000,Date.now()-t0)]}
function ink(){var n=0,l=0;strokes.forEach(function(s){n+=s.length;for(var i=1;i<s.length;i++)l+=Math.hypot(s[i][0]-s[i-1][0],s[i][1]-s[i-1][1])});return n>=10&&l>=w/4}
c.addEventListener('pointerdown',function(e){e.preventDefault();if(!t0)t0=Date.now();c.setPointerCapture(e.pointerId);cur=[pt(e)];strokes.push(cur);draw()});
c.addEventListener('pointermove',function(e){if(!cur)return;e.preventDefault();cur.push(pt(e));draw()});
function end(){if(cur){cur=null;ready()}}
c.addEventListener('pointerup',end);c.addEventListener('pointercancel',end);
var rw=0;window.addEventListener('resize',function(){var r=Math.round(c.getBoundingClientRect().width);if(r!==rw){rw=r;if(strokes.length){strokes=[];t0=0;msg.textContent='畫面大小改變，請重新簽名。Please sign again.'}size();ready()}});
$('#clear').addEventListener('click',function(){strokes=[];t0=0;draw();ready()});
$('#sendcode').addEventListener('click',function(){var b=this;b.disabled=true;cmsg.className='msg';cmsg.textContent='';
post('/code',{}).then(function(r){if(r.ok){cmsg.className='msg ok';cmsg.textContent='已傳送到 '+r.body.sent_to+'，10 分鐘內有效。Sent to '+r.body.sent_to+'.';code.focus()}else say(cmsg,r);setTimeout(function(){b.disabled=false},r.ok?60000:0)})});
f.addEventListener('submit',function(e){e.preventDefault();var p=ready();if(send.disabled)return;send.disabled=true;msg.textContent='';
var id=Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(12)),function(b){return('0'+b.toString(16)).slice(-2)}).join('');
post('/signatures',{signature_id:'r'+id,kind:'estimate',content_hash:f.getAttribute('data-hash'),signer_name:$('#signer').value.trim(),consent:true,strokes:strokes.slice(0,150),width:w,height:h,decisions:p.o,code:otp.hidden?null:code.value})
.then(function(r){if(r.ok){msg.className='msg ok';msg.textContent='已送出，謝謝！Sent, thank you!';setTimeout(function(){location.reload()},800)}else{say(msg,r);ready()}})});
rw=Math.round(c.getBoundingClientRect().width);size();total()})();
