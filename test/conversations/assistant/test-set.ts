/**
 * The test set: questions as users type them (paraphrases, typos, accents left out, words
 * in another order), each with what a person reading DELIVERY_KB would answer: a topic
 * (the pair's id without its language), an intent name, or `handoff` for what the
 * knowledge base does not cover.
 */
export interface Case {
  message: string;
  expect: string;
}

export const ENGLISH: Case[] = [
  { message: 'how many days for delivery?', expect: 'delivery-time' },
  { message: 'when do i get my order delivered', expect: 'delivery-time' },
  { message: 'how much is shipping?', expect: 'delivery-cost' },
  { message: 'are there any shiping fees', expect: 'delivery-cost' },
  { message: 'I need to change the address for my delivery', expect: 'change-address' },
  { message: 'the courier came but I was not home', expect: 'missed-delivery' },
  { message: 'my package is damaged!!', expect: 'damaged-parcel' },
  { message: 'I want a refund', expect: 'refund' },
  { message: 'when does the shop open', expect: 'opening-hours' },
  { message: 'Do you ship abroad, to another country?', expect: 'international' },
  { message: 'cancel my order please', expect: 'cancel-order' },
  { message: 'how can I send back an item', expect: 'return-parcel' },
  { message: 'pickup points near me?', expect: 'pickup-point' },
  { message: 'can I pay with paypal', expect: 'payment' },
  { message: 'phone number of customer service', expect: 'contact' },
  { message: 'what documents should I bring to the appointment', expect: 'appointment-documents' },
  { message: "I can't come to my appointment, how do I cancel it?", expect: 'cancel-appointment' },
  { message: "where's my parcel", expect: 'track_order' },
  { message: 'track order 12345', expect: 'track_order' },
  { message: 'can I reschedule my apointment to another day', expect: 'reschedule' },
  { message: 'I would like to book an appointment', expect: 'book_appointment' },
  { message: 'What is the weather in Paris tomorrow?', expect: 'handoff' },
  { message: 'I forgot my password', expect: 'handoff' },
  { message: 'Tell me a joke', expect: 'handoff' },
  { message: 'Can I send a parcel to Mars?', expect: 'handoff' },
  { message: 'Do you sell gift cards?', expect: 'handoff' },
  { message: "Hi, I'm John, where is my parcel?", expect: 'track_order' },
];

export const FRENCH: Case[] = [
  { message: 'combien de jours pour la livraison ?', expect: 'delivery-time' },
  { message: 'delais de livraison', expect: 'delivery-time' },
  { message: 'combien coute la livraison', expect: 'delivery-cost' },
  { message: 'les frais de port sont de combien ?', expect: 'delivery-cost' },
  { message: "je voudrais modifier l'adresse", expect: 'change-address' },
  { message: "j'ai rate le livreur", expect: 'missed-delivery' },
  { message: 'mon colis est arrive abime', expect: 'damaged-parcel' },
  { message: 'le paquet est arrivé cassé', expect: 'damaged-parcel' },
  { message: 'quand vais-je être remboursée ?', expect: 'refund' },
  { message: "horaires d'ouverture de la boutique", expect: 'opening-hours' },
  { message: "vous livrez a l'etranger ?", expect: 'international' },
  { message: 'annuler ma comande', expect: 'cancel-order' },
  { message: 'je veux retourner un article', expect: 'return-parcel' },
  { message: 'retrait en point relais possible ?', expect: 'pickup-point' },
  { message: 'paiement par carte accepté ?', expect: 'payment' },
  { message: 'numero de telephone du service client', expect: 'contact' },
  { message: 'je dois apporter quels documents pour le rendez-vous ?', expect: 'appointment-documents' },
  { message: 'annuler mon rendez vous', expect: 'cancel-appointment' },
  { message: 'ou est mon colis', expect: 'track_order' },
  { message: "où en est la livraison de ma commande aujourd'hui ?", expect: 'track_order' },
  { message: 'je voudrais deplacer mon rendez-vous a vendredi', expect: 'reschedule' },
  { message: 'prendre un rendez-vous svp', expect: 'book_appointment' },
  { message: 'quel temps fera-t-il demain ?', expect: 'handoff' },
  { message: "j'ai oublié mon mot de passe", expect: 'handoff' },
  { message: 'raconte-moi une blague', expect: 'handoff' },
  { message: 'Est-ce que vous recrutez des livreurs ?', expect: 'handoff' },
  { message: "Bonjour, je m'appelle Marie et je voudrais savoir où est mon colis", expect: 'track_order' },
];
