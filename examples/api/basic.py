import csoundpy as libcsound
cs = libcsound.Csound()
cs.setOption('-d -+rtaudio=null -odac -m0')
cs.compileOrc(r'''
sr     = 48000
ksmps  = 64
nchnls = 2
0dbfs  = 1

instr 1
  iamp, ipitch, iattack, idec, ipan passign 4
  aenv = linen:a(1, iattack, p3, idec)
  asig = poscil(iamp, mtof(ipitch)) * aenv
  a1, a2 pan2 asig, ipan
  outs a1, a2
endin
''')

thread = cs.performanceThread()
# Calling .play starts the csound process, if not already started
thread.play()

thread.scoreEvent(False, 'i', (1, 0,   1, 0.5, 60, 0.05, 0.3, 0.2))
thread.scoreEvent(False, 'i', (1, 0.5, 1, 0.5, 62, 0.05, 0.3, 0.8))

thread.stop()
thread.join()
del cs
