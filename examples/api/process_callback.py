import queue
import time
import random
import csoundpy as libcsound

cs = libcsound.Csound()

# Change as needed
# cs.setOption('-odac')
cs.setOption('-+rtaudio=null -odac' )

# Disable printing whenever a new event is scheduled
cs.setOption('-m128')

# The orchestra
cs.compileOrc(r'''
sr = 48000
nchnls = 2
ksmps = 64
0dbfs = 1

instr 1
  iamp, ipitch, iattack, irelease passign 4
  a0 = oscili(iamp, mtof(ipitch)) + oscili(iamp, mtof(ipitch+0.12))
  outall a0 * linsegr:a(0, iattack, 1, iattack*2, 0.2, irelease, 0)
endin
''')

thread = cs.performanceThread()
thread.play()


# This is basically the same as the example before
scale = [0, 2, 3, 5, 7, 8, 10]
pitches = [60 + 12 * octave + step for octave in [0, 1, 2] for step in scale]
chords = [(2, 4, 7), (4, 5), (2, 7, 11), (0, 5, 9), (9, 11), (0, 2), (0, 4, 7)]

def getparams(pitch, chord):
    if pitch % 12 in chord:
        dur = random.uniform(1.5, 2.5)
        amp = random.uniform(0.04, 0.2)
        att = random.uniform(0.01, 0.1)
        rel = random.uniform(0.4, 0.8)
    else:
        dur = random.uniform(0.1, 0.2)
        amp = random.uniform(0.04, 0.08)
        att = 0.01
        rel = 0.3
    return dur, amp, att, rel

sr = cs.sr()

# We create a callback class in order to hold state between calls
class Callback:
    def __init__(self):
        self.t0 = cs.currentTimeSamples() / sr
        self.tchord = self.t0
        self.chord = random.choice(chords)

    # This method will be called every time csound process a block
    # of samples, with full access to the API
    # Notice that we do not need to call .sleep
    def __call__(self, data):
        t = cs.currentTimeSamples() / sr
        if t - self.t0 > 1/8.:
            pitch = random.choice(pitches)
            dur, amp, att, rel = getparams(pitch, self.chord)
            thread.scoreEvent(False, 'i', (1, 0, dur, amp, random.choice(pitches), att, rel))
            self.t0 = t
            if t - self.tchord > 8:
                self.chord = random.choice(chords)
                self.tchord = t

thread.record("threading-example2.wav", 16, 4)
thread.setProcessCallback(Callback())

thread.stopRecord()

thread.stop()
thread.join()
