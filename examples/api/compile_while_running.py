import time
import csoundpy as libcsound

if libcsound.VERSION < 7000:
    raise RuntimeError("This functionality is not present in csound 6")

cs = libcsound.Csound()
cs.setOption('-+rtaudio=null -odac')
cs.compileOrc(r'''
sr = 48000
nchnls = 2
ksmps = 64
0dbfs = 1
''')

thread = cs.performanceThread()
thread.play()

t0 = time.time()
cs.compileOrc(r'''
gi_tab1 ftgen 1, 0, 200, -2, 0

instr 1
  iamp, ipitch, iattack, irelease passign 4
  a0 = oscili(iamp, mtof(ipitch)) + oscili(iamp, mtof(ipitch+0.12))
  outall a0 * linsegr:a(0, iattack, 1, iattack*2, 0.2, irelease, 0)
endin
''')
thread.scoreEvent(False, "i", [1, 0, 10, 0.1, 72, 0.01, 0.1])
print(f'Latency using API: {(time.time() - t0) * 1000:.3f} ms')

t0 = time.time()
thread.compileOrc(r'''
gi_tab2 ftgen 2, 0, 200, -2, 0

instr 2
  iamp, ipitch, iattack, irelease passign 4
  a0 = oscili(iamp, mtof(ipitch)) + oscili(iamp, mtof(ipitch+0.12))
  outall a0 * linsegr:a(0, iattack, 1, iattack*2, 0.2, irelease, 0)
endin
''')
thread.scoreEvent(False, "i", [2, 0, 10, 0.1, 73, 0.01, 0.1])
print(f'Latency using the performance thread: {(time.time() - t0) * 1000:.3f} ms')
