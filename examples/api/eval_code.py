import csoundpy as libcsound
import time

cs = libcsound.Csound()
cs.setOption("-+rtaudio=null -odac -b256")
cs.compileOrc(r'''
sr = 48000
ksmps = 64
nchnls = 2
''')

# csound.compileOrc(...)
thread = cs.performanceThread()

thread.play()
bufsize = 1024
t0 = time.time()
tabnum = cs.evalCode(f'gi__tabnum ftgen 0, 0, {-bufsize}, -2, 0\nreturn gi__tabnum')
t1 = time.time()
print(f"Created table {tabnum}, took {(t1 - t0) * 1000:.2f} ms")

cs.stop()

cs = libcsound.Csound()
cs.setOption("-+rtaudio=null -odac -b256")
cs.compileOrc(r'''
sr = 48000
ksmps = 64
nchnls = 2
''')

# csound.compileOrc(...)
thread = cs.performanceThread()

thread.play()
bufsize = 1024
t0 = time.time()

if libcsound.VERSION >= 7000:
    t0 = time.time()
    tabnum = thread.evalCode(f'gi__tabnum ftgen 0, 0, {-bufsize}, -2, 0\nreturn gi__tabnum')
    t1 = time.time()
else:
    thread.setProcessQueue()
    t0 = time.time()
    q = queue.SimpleQueue()
    thread.processQueueTask(lambda cs, q=q: q.put(cs.evalCode(f'gi__tabnum ftgen 0, 0, {-bufsize}, -2, 0\nreturn gi__tabnum')))
    tabnum = q.get()
    t1 = time.time()

print(f"Created table {tabnum}, took {(t1 - t0) * 1000:.2f} ms")

cs.stop()
